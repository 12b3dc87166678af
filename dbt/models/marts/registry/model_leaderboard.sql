-- One row per registered model version, best first: ranked by gold F1 (the champion rule's primary
-- metric, query_understanding.champion), then test F1 (its fallback), versions without a metric
-- last and equal metrics sharing a rank. Next to it: whether the version is the current champion,
-- pinned, or served (a pin wins over the champion), how often it was promoted or rolled back, the
-- latest champion event that names it, and its metrics minus the current champion's (null when
-- there is no champion). The current state is the last row of champion_history.

with versions as (
    select * from {{ source('registry', 'model_versions') }}
),

history as (
    select * from {{ ref('champion_history') }}
),

-- one row even with no events (then all null)
current_state as (
    select
        max(champion_after) as champion_tag,
        max(pinned_after) as pinned_tag,
        max(served_after) as served_tag
    from history
    where event_seq = (select max(event_seq) from history)
),

champion as (
    select versions.*
    from versions
    inner join current_state
        on current_state.champion_tag = versions.tag
),

event_counts as (
    select
        tag,
        sum(case when action = 'promote' then 1 else 0 end) as n_promotions,
        sum(case when action = 'rollback' then 1 else 0 end) as n_rollbacks_to
    from history
    where tag is not null
    group by tag
),

rollbacks_from as (
    select previous_tag as tag, count(*) as n_rollbacks_from
    from history
    where action = 'rollback' and previous_tag is not null
    group by previous_tag
),

-- events name a version as `tag` (promoted, rolled back to, pinned) or `previous_tag` (replaced,
-- rolled back from, unpinned)
events_naming_a_version as (
    select tag as version_tag, 'tag' as named_as, event_seq, event_time, action, reason
    from history
    where tag is not null
    union all
    select previous_tag, 'previous_tag', event_seq, event_time, action, reason
    from history
    where previous_tag is not null
),

last_events as (
    select
        *,
        row_number() over (partition by version_tag order by event_seq desc, named_as) as recency
    from events_naming_a_version
)

select
    versions.tag,
    versions.model_kind,
    versions.model_id,
    cast(rank() over (
        order by versions.gold_f1_micro desc nulls last, versions.test_f1_micro desc nulls last
    ) as {{ dbt.type_int() }}) as leaderboard_rank,
    versions.gold_f1_micro,
    versions.test_f1_micro,
    versions.latency_p50_ms,
    versions.latency_p99_ms,
    versions.throughput_qps,
    versions.size_bytes,
    versions.train_seconds,
    coalesce(versions.tag = current_state.champion_tag, false) as is_current_champion,
    coalesce(versions.tag = current_state.pinned_tag, false) as is_pinned,
    coalesce(versions.tag = current_state.served_tag, false) as is_served,
    current_state.champion_tag,
    current_state.served_tag,
    cast(coalesce(event_counts.n_promotions, 0) as {{ dbt.type_int() }}) as n_promotions,
    cast(coalesce(event_counts.n_rollbacks_to, 0) as {{ dbt.type_int() }}) as n_rollbacks_to,
    cast(coalesce(rollbacks_from.n_rollbacks_from, 0) as {{ dbt.type_int() }}) as n_rollbacks_from,
    last_events.event_time as last_event_time,
    last_events.action as last_event_action,
    last_events.named_as as last_event_named_as,
    last_events.reason as last_event_reason,
    versions.gold_f1_micro - champion.gold_f1_micro as gold_f1_vs_champion,
    versions.test_f1_micro - champion.test_f1_micro as test_f1_vs_champion,
    versions.latency_p50_ms - champion.latency_p50_ms as latency_p50_ms_vs_champion,
    versions.latency_p99_ms - champion.latency_p99_ms as latency_p99_ms_vs_champion,
    versions.throughput_qps - champion.throughput_qps as throughput_qps_vs_champion,
    versions.size_bytes - champion.size_bytes as size_bytes_vs_champion,
    versions.created_at,
    versions.registered_at,
    versions.data_version,
    versions.code_version,
    versions.parent_model_id
from versions
cross join current_state
left join champion
    on 1 = 1
left join event_counts
    on event_counts.tag = versions.tag
left join rollbacks_from
    on rollbacks_from.tag = versions.tag
left join last_events
    on last_events.version_tag = versions.tag
    and last_events.recency = 1
