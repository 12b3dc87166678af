-- One row per served entity (stg_predictions.entities unnested) with the day, model and the two
-- fields monitoring reads: the model's score (confidence; may be null) and the linker's novel flag
-- (null for lines logged before linking). The shared base of monitoring_daily and monitoring_drift.

with predictions as (
    select prediction_id, predicted_at, model_tag, entities
    from {{ ref('stg_predictions') }}
),

entities as (
    select
        p.prediction_id,
        p.predicted_at,
        p.model_tag,
        {{ qu_unnest_element('ent') }} as entity
    from predictions as p
    {{ qu_unnest_join('p.entities', 'ent') }}
)

select
    prediction_id,
    cast(predicted_at as date) as predicted_day,
    model_tag,
    cast({{ qu_struct_field('entity', 'type') }} as {{ dbt.type_string() }}) as entity_type,
    cast({{ qu_struct_field('entity', 'score') }} as {{ qu_double_type() }}) as score,
    cast({{ qu_struct_field('entity', 'novel') }} as boolean) as novel
from entities
