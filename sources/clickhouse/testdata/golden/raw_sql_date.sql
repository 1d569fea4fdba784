-- vigil rule: raw_sql_date
SELECT toDate(ts, 'Europe/Berlin') AS day, sum(visits) AS visits
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY day
