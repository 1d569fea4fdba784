-- vigil rule: sum_nulls
SELECT
  CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600 AS vigil_bucket,
  CAST(sum(discount) AS DOUBLE) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
