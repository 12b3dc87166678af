-- Click events grouped by everything distant supervision looks at: the query text and the clicked
-- product's brand, color and type. All events of one signature get the same weak tagging, so we
-- tag signatures (weighted by their event count) instead of events: same votes, far less work.

with events as (
    select * from {{ ref('stg_query_logs') }}
),

signatures as (
    select
        query_text,
        query_norm,
        product_brand,
        product_color,
        product_type,
        count(*) as n_events
    from events
    group by query_text, query_norm, product_brand, product_color, product_type
)

select
    {{ qu_click_signature_id('query_text', 'product_brand', 'product_color', 'product_type') }} as signature_id,
    query_text,
    query_norm,
    {{ qu_array_length(qu_split_to_array('query_text', ' ')) }} as query_length,
    product_brand,
    product_color,
    product_type,
    cast(n_events as {{ dbt.type_int() }}) as n_events
from signatures
