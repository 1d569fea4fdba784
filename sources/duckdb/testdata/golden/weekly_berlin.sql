-- vigil rule: weekly_berlin
SELECT
  CAST(floor((CAST(floor(epoch(timezone('Europe/Berlin', CAST(ts AS TIMESTAMPTZ))) / 86400) AS BIGINT) - 4) / 7) AS BIGINT) * 7 + 4 AS vigil_bucket,
  CAST(count(*) AS DOUBLE) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
