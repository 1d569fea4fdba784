-- vigil rule: daily_utc
SELECT
  CAST(floor(epoch(ts) / 86400) AS BIGINT) AS vigil_bucket,
  CAST(sum(visits) AS DOUBLE) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
