-- vigil rule: count_if_zero
SELECT
  toInt64(intDiv(toUInt32(ts), 3600) * 3600) AS vigil_bucket,
  ifNull(toFloat64(countIf(status = 'refunded')), nan) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
