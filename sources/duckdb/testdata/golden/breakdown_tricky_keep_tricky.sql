-- vigil rule: tricky
-- breakdown
SELECT
  GROUPING(vigil_d0, vigil_d1) AS vigil_set,
  CASE
    WHEN ts >= ? AND ts < ? THEN 0
    WHEN ts >= ? AND ts < ? THEN 1
    WHEN ts >= ? AND ts < ? THEN 2
    WHEN ts >= ? AND ts < ? THEN 3
    WHEN ts >= ? AND ts < ? THEN 4
  END AS vigil_period,
  CASE WHEN coalesce(CAST("country" AS VARCHAR), '') IN (?, ?, ?, ?, ?, ?, ?) THEN coalesce(CAST("country" AS VARCHAR), '') ELSE '(other)' END AS vigil_d0,
  CASE WHEN coalesce(CAST("app ""version""" AS VARCHAR), '') IN (?) THEN coalesce(CAST("app ""version""" AS VARCHAR), '') ELSE '(other)' END AS vigil_d1,
  coalesce(CAST(sum(amount) AS DOUBLE), 0) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ? AND vigil_period IS NOT NULL
  AND (amount >= 0)
GROUP BY GROUPING SETS ((vigil_period, vigil_d0), (vigil_period, vigil_d0, vigil_d1))
