-- vigil rule: ratio
SELECT
  CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600 AS vigil_bucket,
  CAST(sum(orders) AS DOUBLE) AS vigil_num,
  CAST(sum(visits) AS DOUBLE) AS vigil_den
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
