-- vigil rule: daily_berlin_spring
SELECT
  toInt64(toDate(ts, 'Europe/Berlin')) AS vigil_bucket,
  ifNull(toFloat64(count()), nan) AS vigil_value
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
