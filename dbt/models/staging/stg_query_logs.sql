-- Click events cleaned just enough to tokenize like Python does: whitespace trimmed and collapsed
-- (tokens are the whitespace split of query_text), catalog keys lowercased, empty queries dropped.

with source_events as (
    select * from {{ source('raw', 'query_logs') }}
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
        product_title
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
    product_title
from cleaned_events
where query_text is not null
    and query_text <> ''
