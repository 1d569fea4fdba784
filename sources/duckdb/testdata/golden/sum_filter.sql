-- vigil rule: sum_filter
SELECT
  CAST(floor(epoch(ts) / 3600) AS BIGINT) * 3600 AS vigil_bucket,
  CAST(sum(amount) AS DOUBLE) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
  AND (status = 'paid' AND country <> 'Côte d''Ivoire')
GROUP BY vigil_bucket
ORDER BY vigil_bucket
