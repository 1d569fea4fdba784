-- vigil rule: uniq
SELECT
  toInt64(intDiv(toUInt32(ts), 3600) * 3600) AS vigil_bucket,
  ifNull(toFloat64(uniq(user_id)), nan) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
