-- vigil rule: sum_if_6h
SELECT
  CAST(floor(epoch(ts) / 21600) AS BIGINT) * 21600 AS vigil_bucket,
  CAST(coalesce(sum(amount) FILTER (WHERE country = '日本'), 0) AS DOUBLE) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
