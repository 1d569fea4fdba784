-- Demo data for vigil's compose setup: a marketplace's orders and web
-- sessions, nine weeks of them, hour by hour, ending at the hour the
-- container first starts. The shape follows vigil's built-in DuckDB demo
-- (internal/demo): Brazil is the largest market and shops mostly on
-- Android, traffic follows the time of day in each country and the day of
-- the week, and the business grows a little every week.
--
-- Every value is a pure function of its hour and segment (hashes stand in
-- for random numbers), so a given hour always gets the same rows. Two
-- refreshable materialized views append each hour as it ends, so the data
-- never goes stale while the container runs, and catch up after it was
-- stopped. One incident is written into the first load only: in the three
-- newest hours that vigil judges, payments fail for most Brazilian Android
-- orders, which end as 'cancelled'.
--
-- The official image runs this file once, when its data folder is empty.

-- Markets: share of all orders, UTC offset in minutes, median basket in
-- dollars, spread of the log of the basket, platform mix (android, ios,
-- web) and how well the market's sessions convert.
CREATE VIEW demo_countries AS
SELECT * FROM values(
    'country String, share Float64, offset_min Int32, basket Float64, spread Float64, mix Array(Float64), conv Float64',
    ('BR', 0.640, -180, 27, 0.55, [0.82, 0.09, 0.09], 0.95),
    ('US', 0.150, -300, 64, 0.50, [0.35, 0.45, 0.20], 1.15),
    ('MX', 0.110, -360, 31, 0.55, [0.70, 0.15, 0.15], 0.90),
    ('DE', 0.030,   60, 56, 0.45, [0.45, 0.30, 0.25], 1.10),
    ('GB', 0.020,    0, 52, 0.45, [0.35, 0.45, 0.20], 1.10),
    ('FR', 0.020,   60, 49, 0.45, [0.45, 0.30, 0.25], 1.05),
    ('IN', 0.015,  330, 13, 0.60, [0.85, 0.05, 0.10], 0.80),
    ('JP', 0.015,  540, 47, 0.45, [0.30, 0.55, 0.15], 1.00));

-- Acquisition channels: share of orders, factor on the basket, factor on
-- the checkout rate.
CREATE VIEW demo_channels AS
SELECT * FROM values(
    'channel String, share Float64, basket Float64, conv Float64',
    ('organic',  0.46, 1.00, 1.00),
    ('paid',     0.26, 1.10, 0.75),
    ('email',    0.14, 1.05, 1.60),
    ('referral', 0.14, 0.95, 1.20));

-- Segments: every market, platform and channel, with its share of orders,
-- basket and checkout rate (the share of sessions that reach checkout).
CREATE VIEW demo_segments AS
SELECT
    c.country AS country,
    c.platform AS platform,
    ch.channel AS channel,
    c.share * c.platform_share * ch.share AS share,
    c.offset_min AS offset_min,
    c.basket * c.platform_basket * ch.basket AS basket,
    c.spread AS spread,
    c.platform_rate * c.conv * ch.conv AS checkout_rate
FROM
(
    SELECT country, share, offset_min, basket, spread, conv,
        platform, platform_share, platform_basket, platform_rate
    FROM demo_countries
    ARRAY JOIN
        ['android', 'ios', 'web'] AS platform,
        mix AS platform_share,
        [0.90, 1.15, 1.25] AS platform_basket,
        [0.030, 0.042, 0.022] AS platform_rate
) AS c
CROSS JOIN demo_channels AS ch;

-- Expected orders per hour and segment over the nine weeks before the
-- current hour: 210 an hour on average, shaped by the local hour of day
-- (quiet before dawn, busiest after dinner) and the local weekday (phones
-- shop more at the weekend, desks less), growing 0.6% a week.
CREATE VIEW demo_hours AS
WITH
    toStartOfHour(now()) AS anchor,
    [0.70, 0.52, 0.42, 0.36, 0.34, 0.37, 0.46, 0.60, 0.78, 0.96, 1.08, 1.17,
     1.25, 1.22, 1.15, 1.12, 1.14, 1.21, 1.33, 1.48, 1.58, 1.55, 1.32, 0.95] AS day_curve,
    [0.96, 0.95, 0.96, 0.97, 1.00, 1.08, 1.10] AS week_mobile,
    [1.06, 1.07, 1.06, 1.04, 1.00, 0.78, 0.82] AS week_web
SELECT
    h.hour AS hour,
    s.*,
    h.hour + toIntervalMinute(s.offset_min + 30) AS local_mid,
    210 * s.share
        * day_curve[toHour(local_mid) + 1] * 24 / arraySum(day_curve)
        * if(s.platform = 'web', week_web, week_mobile)[toDayOfWeek(local_mid)]
        * exp(0.006 * dateDiff('hour', anchor, h.hour) / 168) AS expected_orders,
    toUInt32(h.hour) AS seed
FROM
(
    SELECT anchor - toIntervalHour(number + 1) AS hour
    FROM numbers(9 * 7 * 24)
) AS h
CROSS JOIN demo_segments AS s;

-- uniform(seed, key...) is a number in (0, 1) drawn from a hash;
-- normal(...) a standard normal one, by the Box-Muller transform.
CREATE FUNCTION demo_uniform AS (a, b, c, d, e) ->
    (cityHash64(a, b, c, d, e) % 1000000 + 0.5) / 1000000;
CREATE FUNCTION demo_normal AS (a, b, c, d, e) ->
    sqrt(-2 * log(demo_uniform(a, b, c, d, concat(e, '.1'))))
        * cos(2 * pi() * demo_uniform(a, b, c, d, concat(e, '.2')));

-- One row per order. `draw` is a uniform number the first load uses to
-- pick the orders the incident cancels.
CREATE VIEW demo_orders AS
SELECT
    hour + toIntervalSecond(demo_uniform(seed, country, platform, channel, concat('at', toString(i))) * 3600) AS created_at,
    country,
    platform,
    channel,
    round(basket * exp(spread * demo_normal(seed, country, platform, channel, concat('amount', toString(i)))), 2) AS amount,
    multiIf(u < 0.92, 'completed', u < 0.97, 'cancelled', 'refunded') AS status,
    demo_uniform(seed, country, platform, channel, concat('incident', toString(i))) AS draw
FROM
(
    SELECT
        *,
        toUInt32(greatest(0, floor(expected_orders
            + sqrt(expected_orders) * demo_normal(seed, country, platform, channel, 'orders')
            + demo_uniform(seed, country, platform, channel, 'round')))) AS n
    FROM demo_hours
)
ARRAY JOIN range(n) AS i
ARRAY JOIN [demo_uniform(seed, country, platform, channel, concat('status', toString(i)))] AS u;

-- One row per hour and segment. Sessions are what the orders imply (45% of
-- checkouts become orders); checkouts are drawn from the checkout rate.
CREATE VIEW demo_sessions AS
SELECT
    hour,
    country,
    platform,
    channel,
    toUInt64(visits) AS sessions,
    toUInt64(least(visits, greatest(0, round(visits * checkout_rate
        + sqrt(visits * checkout_rate * (1 - checkout_rate))
          * demo_normal(seed, country, platform, channel, 'checkouts'))))) AS checkouts
FROM
(
    SELECT
        hour, country, platform, channel, checkout_rate, seed,
        expected_orders / (checkout_rate * 0.45) AS expected_sessions,
        greatest(0, round(expected_sessions
            + sqrt(expected_sessions) * demo_normal(seed, country, platform, channel, 'sessions'))) AS visits
    FROM demo_hours
);

CREATE TABLE orders
(
    created_at DateTime('UTC'),
    country    LowCardinality(String),
    platform   LowCardinality(String),
    channel    LowCardinality(String),
    amount     Float64,
    status     LowCardinality(String)
)
ENGINE = MergeTree
ORDER BY created_at;

CREATE TABLE sessions
(
    hour      DateTime('UTC'),
    country   LowCardinality(String),
    platform  LowCardinality(String),
    channel   LowCardinality(String),
    sessions  UInt64,
    checkouts UInt64
)
ENGINE = MergeTree
ORDER BY hour;

-- The first load, with the incident: payments fail for 85% of Brazilian
-- Android orders in the three hours before the newest one.
INSERT INTO orders
SELECT
    created_at, country, platform, channel, amount,
    if(country = 'BR' AND platform = 'android'
        AND toStartOfHour(created_at) >= toStartOfHour(now()) - INTERVAL 4 HOUR
        AND toStartOfHour(created_at) < toStartOfHour(now()) - INTERVAL 1 HOUR
        AND draw < 0.85, 'cancelled', status) AS status
FROM demo_orders;

INSERT INTO sessions SELECT * FROM demo_sessions;

-- Each hour, append the hours that ended since the newest one stored.
CREATE MATERIALIZED VIEW orders_feed
REFRESH EVERY 1 HOUR APPEND TO orders
AS SELECT created_at, country, platform, channel, amount, status
FROM demo_orders
WHERE toStartOfHour(created_at) > (SELECT max(toStartOfHour(created_at)) FROM orders);

-- Created last: the compose health check waits for it.
CREATE MATERIALIZED VIEW sessions_feed
REFRESH EVERY 1 HOUR APPEND TO sessions
AS SELECT * FROM demo_sessions
WHERE hour > (SELECT max(hour) FROM sessions);
