-- vigil rule: daily_berlin_spring
SELECT
  CAST(floor(epoch(timezone('Europe/Berlin', CAST(ts AS TIMESTAMPTZ))) / 86400) AS BIGINT) AS vigil_bucket,
  CAST(count(*) AS DOUBLE) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
