-- Which brands are held out of train and dev entirely, so that test has an unseen-brand slice.
-- The choice is an md5 bucket of the brand name (not a random draw), so it is the same on every
-- run and machine, and a brand's fate does not change when other brands are added. A brand that
-- annotated train or dev rows name is never held out: models train (and tune) on those rows, so it would not be
-- unseen (and its annotated rows would otherwise break the no-held-out-brand-in-train rule).
-- Annotated dev rows count too: dev tunes models (early stopping, c1/c2).

{%- set share = var('holdout_brand_share') | float %}
{%- set threshold = (share * 10000) | round | int %}

with catalog_brands as (
    select distinct lower(trim(brand)) as brand
    from {{ ref('catalog_brands') }}
    where brand is not null
),

bucketed_brands as (
    select
        brand,
        {{ qu_hash_bucket('brand', 10000) }} as holdout_bucket
    from catalog_brands
),

annotated_train_dev as (
    select query_text, tokens, tags
    from {{ ref('stg_annotated_queries') }}
    where file_split in ('train', 'dev') and query_text is not null
),

{{ qu_bio_spans_ctes('annotated_train_dev_spans', 'annotated_train_dev', 'query_text') }},

brands_named_in_annotated_train_dev_dev as (
    select distinct surfaces.brand
    from annotated_train_dev_spans as spans
    inner join {{ ref('stg_brand_surfaces') }} as surfaces
        on surfaces.surface = spans.span_text
    where spans.label = 'BRAND'
)

select
    bucketed.brand,
    bucketed.holdout_bucket,
    bucketed.holdout_bucket < {{ threshold }} and named.brand is null as is_held_out
from bucketed_brands as bucketed
left join brands_named_in_annotated_train_dev_dev as named
    on named.brand = bucketed.brand
