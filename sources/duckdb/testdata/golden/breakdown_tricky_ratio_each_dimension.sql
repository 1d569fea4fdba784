-- vigil rule: tricky_ratio
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
  coalesce(CAST("country" AS VARCHAR), '') AS vigil_d0,
  coalesce(CAST("app ""version""" AS VARCHAR), '') AS vigil_d1,
  coalesce(CAST(sum(orders) AS DOUBLE), 0) AS vigil_num,
  coalesce(CAST(sum(sessions) AS DOUBLE), 0) AS vigil_den
FROM events
WHERE ts >= ? AND ts < ? AND vigil_period IS NOT NULL
  AND (amount >= 0)
GROUP BY GROUPING SETS ((vigil_period, vigil_d0), (vigil_period, vigil_d1))
