-- Click events cleaned just enough to tokenize like Python does: whitespace trimmed and collapsed
-- (tokens are the whitespace split of query_text), catalog keys lowercased, empty queries dropped.
-- Two sources, unioned (log_source): the synthetic raw.query_logs (Python asset raw_query_logs,
-- off with its `synthesize: false`) and the user's click logs (stg_click_logs), whose product
-- facts (brand, color, type, title) come from the feed's product of clicked_product_id
-- (catalog_products: keys resolved to the merged catalog). A click on a product the feed lacks
-- has no facts to label with: it is left out here and counted in click_log_unknown_products
-- (warn-level test).

with synthetic_events as (
    select
        event_id,
        session_id,
        event_ts,
        query_text,
        clicked_product_id,
        product_brand,
        product_color,
        product_type,
        product_title,
        'synthetic' as log_source
    from {{ source('raw', 'query_logs') }}
),

user_events as (
    select
        clicks.event_id,
        clicks.session_id,
        clicks.event_ts,
        clicks.query_text,
        clicks.clicked_product_id,
        products.brand as product_brand,
        products.color as product_color,
        products.product_type,
        products.title as product_title,
        'click_logs' as log_source
    from {{ ref('stg_click_logs') }} as clicks
    inner join {{ ref('catalog_products') }} as products
        on products.product_id = clicks.clicked_product_id
),

source_events as (
    select * from synthetic_events
    union all
    select * from user_events
),

cleaned_events as (
    select
        event_id,
        session_id,
        event_ts,
        {{ qu_collapse_whitespace('query_text') }} as query_text,
        clicked_product_id,
        nullif(lower(trim(product_brand)), '') as product_brand,
        nullif(lower(trim(product_color)), '') as product_color,
        nullif(lower(trim(product_type)), '') as product_type,
        product_title,
        log_source
    from source_events
)

select
    event_id,
    session_id,
    event_ts,
    query_text,
    lower(query_text) as query_norm,
    clicked_product_id,
    product_brand,
    product_color,
    product_type,
    product_title,
    log_source
from cleaned_events
where query_text is not null
    and query_text <> ''
