-- vigil rule: raw_sql_date
SELECT CAST(timezone('Europe/Berlin', CAST(ts AS TIMESTAMPTZ)) AS DATE) AS day, sum(visits) AS visits
FROM events
WHERE ts >= ? AND ts < ?
GROUP BY day
