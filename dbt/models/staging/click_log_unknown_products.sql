-- Click events of the user's click logs (stg_click_logs) whose clicked_product_id is not in the
-- product feed (catalog_products), per product id: they have no product facts, so
-- stg_query_logs (and weak labeling) leaves them out. Reported, not dropped silently: the
-- warn-level test click_logs_have_no_unknown_products fails with the number of such events
-- (its failure count shows on the Dagster asset check). A null clicked_product_id counts here too.

{{ config(materialized='table') }}

select
    clicks.clicked_product_id,
    cast(count(*) as {{ dbt.type_int() }}) as n_events,
    min(clicks.event_ts) as first_event_ts,
    max(clicks.event_ts) as last_event_ts
from {{ ref('stg_click_logs') }} as clicks
left join {{ ref('catalog_products') }} as products
    on products.product_id = clicks.clicked_product_id
where products.product_id is null
group by clicks.clicked_product_id
