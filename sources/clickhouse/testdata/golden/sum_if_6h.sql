-- vigil rule: sum_if_6h
SELECT
  toInt64(intDiv(toUInt32(ts), 21600) * 21600) AS vigil_bucket,
  ifNull(toFloat64(sumIf(amount, country = '日本')), nan) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
