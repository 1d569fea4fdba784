-- vigil rule: ratio
SELECT
  toInt64(intDiv(toUInt32(ts), 3600) * 3600) AS vigil_bucket,
  ifNull(toFloat64(sum(orders)), nan) AS vigil_num,
  ifNull(toFloat64(sum(visits)), nan) AS vigil_den
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
