-- vigil rule: sum_filter
SELECT
  toInt64(intDiv(toUInt32(ts), 3600) * 3600) AS vigil_bucket,
  ifNull(toFloat64(sum(amount)), nan) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
  AND (status = 'paid' AND country <> 'Côte d''Ivoire')
GROUP BY vigil_bucket
ORDER BY vigil_bucket
