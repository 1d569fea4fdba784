-- vigil rule: count_15m_fill_zero
SELECT
  CAST(floor(epoch(ts) / 900) AS BIGINT) * 900 AS vigil_bucket,
  CAST(count(*) AS DOUBLE) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
