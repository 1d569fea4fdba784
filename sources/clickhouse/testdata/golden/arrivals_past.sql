-- vigil rule: arrivals_past
SELECT
  toInt64(intDiv(toUInt32(ts), 3600) * 3600) AS vigil_bucket,
  ifNull(toFloat64(count()), nan) AS vigil_value,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 3600) * 3600)) <= 600)) AS vigil_arrived_0,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 3600) * 3600)) <= 4200)) AS vigil_arrived_1,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 3600) * 3600)) <= 7800)) AS vigil_arrived_2,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 3600) * 3600)) <= 11400)) AS vigil_arrived_3,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 3600) * 3600)) <= 15000)) AS vigil_arrived_4,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 3600) * 3600)) <= 18600)) AS vigil_arrived_5,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 3600) * 3600)) <= 22200)) AS vigil_arrived_6,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 3600) * 3600)) <= 25800)) AS vigil_arrived_7,
  toFloat64(countIf(ingested_at <= ?)) AS vigil_arrived,
  ifNull(toFloat64(maxIf(toUInt32(ingested_at), ingested_at <= ?)), 0) AS vigil_newest
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY vigil_bucket
ORDER BY vigil_bucket
