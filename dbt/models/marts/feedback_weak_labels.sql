-- The feedback loop: each logged prediction (stg_predictions) with the clicks on the same
-- normalized query in the feedback_click_window_hours after it (stg_query_logs, event_ts >=
-- predicted_at), weakly labelled by the very logic of the synthetic labels: every click is a vote
-- for its click signature's tagging (int_signature_taggings: distant supervision from the clicked
-- product, then catalog-wide COLOR / TYPE) and the majority wins, ties as in int_synthetic_queries
-- (qu_majority_tagging_ctes). Then compared with what the model answered (int_prediction_tags).
-- Predictions without a click in the window have no label and are left out.
-- One row per prediction, NOT part of labeled_queries: someone decides whether and how these rows
-- join the training data (docs/data_model.md says how). `split` is the split labeled_queries gives
-- the same normalized text, so such a union can never put one text in two splits.

{%- set window_hours = var('feedback_click_window_hours') | int %}

with predictions as (
    select * from {{ ref('stg_predictions') }}
),

clicks as (
    select
        event_id,
        event_ts,
        query_norm,
        {{ qu_click_signature_id('query_text', 'product_brand', 'product_color', 'product_type') }} as signature_id
    from {{ ref('stg_query_logs') }}
),

clicks_after_prediction as (
    select
        predictions.prediction_id,
        clicks.event_id,
        clicks.event_ts,
        clicks.signature_id
    from predictions
    inner join clicks
        on clicks.query_norm = predictions.query_norm
        and clicks.event_ts >= predictions.predicted_at
        and clicks.event_ts <= {{ dbt.dateadd('hour', window_hours, 'predictions.predicted_at') }}
),

-- the tagging each click votes for (one row per prediction and signature, n_events votes)
click_taggings as (
    select
        clicks.prediction_id,
        taggings.signature_id,
        taggings.tag_sequence,
        count(*) as n_events,
        max(taggings.n_labeled_tokens) as n_labeled_tokens,
        {{ dbt.bool_or('taggings.has_typo') }} as has_typo,
        {{ dbt.bool_or('taggings.mentions_held_out_brand') }} as mentions_held_out_brand
    from clicks_after_prediction as clicks
    inner join {{ ref('int_signature_taggings') }} as taggings
        on taggings.signature_id = clicks.signature_id
    group by clicks.prediction_id, taggings.signature_id, taggings.tag_sequence
),

{{ qu_majority_tagging_ctes('winning_taggings', 'click_taggings', 'prediction_id') }},

click_totals as (
    select
        prediction_id,
        sum(n_events) as n_clicks,
        count(distinct tag_sequence) as n_distinct_taggings,
        {{ dbt.bool_or('mentions_held_out_brand') }} as has_unseen_brand
    from click_taggings
    group by prediction_id
),

click_times as (
    select
        prediction_id,
        min(event_ts) as first_click_at,
        max(event_ts) as last_click_at
    from clicks_after_prediction
    group by prediction_id
),

labeled_splits as (
    select query_norm, min(split) as split
    from {{ ref('labeled_queries') }}
    group by query_norm
)

select
    predictions.prediction_id,
    predictions.request_id,
    predictions.item,
    predictions.predicted_at,
    predictions.model_tag,
    predictions.query_text,
    predictions.query_norm,
    predicted.tokens,
    winning_signature.tags,
    predicted.predicted_tags,
    predictions.entities as predicted_entities,
    cast(totals.n_clicks as {{ dbt.type_int() }}) as n_clicks,
    cast(winner.n_votes as {{ dbt.type_int() }}) as n_votes_for_tags,
    cast(totals.n_distinct_taggings as {{ dbt.type_int() }}) as n_distinct_taggings,
    winner.tag_sequence = predicted.predicted_tag_sequence
        and predicted.n_unplaced_entities = 0 as agrees_with_prediction,
    predicted.n_unplaced_entities,
    winner.has_typo,
    totals.has_unseen_brand,
    coalesce(
        labeled_splits.split,
        case when totals.has_unseen_brand then 'test' else {{ qu_split_from_hash('predictions.query_norm') }} end
    ) as split,
    'feedback' as source,
    times.first_click_at,
    times.last_click_at
from predictions
inner join winning_taggings as winner
    on winner.prediction_id = predictions.prediction_id
inner join {{ ref('int_signature_taggings') }} as winning_signature
    on winning_signature.signature_id = winner.example_signature_id
inner join click_totals as totals
    on totals.prediction_id = predictions.prediction_id
inner join click_times as times
    on times.prediction_id = predictions.prediction_id
inner join {{ ref('int_prediction_tags') }} as predicted
    on predicted.prediction_id = predictions.prediction_id
left join labeled_splits
    on labeled_splits.query_norm = predictions.query_norm
