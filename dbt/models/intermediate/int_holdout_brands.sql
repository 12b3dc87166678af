-- Which brands are held out of train and dev entirely, so that test has an unseen-brand slice.
-- The choice is an md5 bucket of the brand name (not a random draw), so it is the same on every
-- run and machine, and a brand's fate does not change when other brands are added.

{%- set share = var('holdout_brand_share') | float %}
{%- set threshold = (share * 10000) | round | int %}

with catalog_brands as (
    select distinct lower(trim(brand)) as brand
    from {{ ref('brands') }}
    where brand is not null
),

bucketed_brands as (
    select
        brand,
        {{ qu_hash_bucket('brand', 10000) }} as holdout_bucket
    from catalog_brands
)

select
    brand,
    holdout_bucket,
    holdout_bucket < {{ threshold }} as is_held_out
from bucketed_brands
