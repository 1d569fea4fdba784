-- vigil rule: count_15m_fill_zero
SELECT
  toInt64(intDiv(toUInt32(ts), 900) * 900) AS vigil_bucket,
  ifNull(toFloat64(count()), nan) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
