-- vigil rule: raw_sql
SELECT toDateTime(intDiv(toUInt32(ts), 7200) * 7200) AS bucket, count() AS paid
FROM events
WHERE ts >= ? AND ts < ? AND status = 'paid'
GROUP BY bucket
