-- vigil rule: arrivals_15m_filter
SELECT
  toInt64(intDiv(toUInt32(ts), 900) * 900) AS vigil_bucket,
  ifNull(toFloat64(sum(amount)), nan) AS vigil_value,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 600)) AS vigil_arrived_0,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 1500)) AS vigil_arrived_1,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 2400)) AS vigil_arrived_2,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 3300)) AS vigil_arrived_3,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 4200)) AS vigil_arrived_4,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 5100)) AS vigil_arrived_5,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 6000)) AS vigil_arrived_6,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 6900)) AS vigil_arrived_7,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 7800)) AS vigil_arrived_8,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 8700)) AS vigil_arrived_9,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 9600)) AS vigil_arrived_10,
  toFloat64(countIf(toInt64(toUInt32(ingested_at)) - (toInt64(intDiv(toUInt32(ts), 900) * 900)) <= 10500)) AS vigil_arrived_11,
  toFloat64(countIf(ingested_at <= ?)) AS vigil_arrived,
  ifNull(toFloat64(maxIf(toUInt32(ingested_at), ingested_at <= ?)), 0) AS vigil_newest
FROM events
WHERE ts >= ? AND ts < ?
  AND (country = 'Côte d''Ivoire')
GROUP BY vigil_bucket
ORDER BY vigil_bucket
