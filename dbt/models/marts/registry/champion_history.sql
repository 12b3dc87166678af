-- Every champion event in order (promote, rollback, pin, unpin from the registry's champion log),
-- with the state it leaves behind and the headline metrics of the model it names and of the one
-- it replaced, so each decision reads next to the numbers behind it. The state is
-- bentos.registry.replay in SQL: the champion is the tag of the latest promote / rollback (a
-- rollback records the tag it returns to), the pin the tag of the latest pin unless an unpin came
-- after it, served = pin, else champion; events replay ignores (no tag) change nothing.
-- Order: event_time (milliseconds); equal times, which the registry's appends under one lock
-- practically never produce, are ordered by action and tags so the result is deterministic.

with events as (
    select
        event_time,
        action,
        tag,
        previous_tag,
        reason
    from {{ source('registry', 'champion_events') }}
),

ordered_events as (
    select
        *,
        row_number() over (order by event_time, action, tag, previous_tag, reason) as event_seq
    from events
),

-- a new group starts at each event that changes the champion (or the pin); within a group the
-- state is what its first event set
state_groups as (
    select
        *,
        sum(case when action in ('promote', 'rollback') and tag is not null then 1 else 0 end) over (
            order by event_seq rows between unbounded preceding and current row
        ) as champion_group,
        sum(case when action = 'unpin' or (action = 'pin' and tag is not null) then 1 else 0 end) over (
            order by event_seq rows between unbounded preceding and current row
        ) as pin_group
    from ordered_events
),

states as (
    select
        *,
        max(case when action in ('promote', 'rollback') then tag end) over (partition by champion_group) as champion_after,
        max(case when action = 'pin' then tag end) over (partition by pin_group) as pinned_after
    from state_groups
),

versions as (
    select tag, model_kind, gold_f1_micro, test_f1_micro, latency_p99_ms
    from {{ source('registry', 'model_versions') }}
)

select
    cast(states.event_seq as {{ dbt.type_int() }}) as event_seq,
    states.event_time,
    states.action,
    states.tag,
    states.previous_tag,
    states.reason,
    states.champion_after,
    states.pinned_after,
    coalesce(states.pinned_after, states.champion_after) as served_after,
    tagged.model_kind,
    tagged.gold_f1_micro,
    tagged.test_f1_micro,
    tagged.latency_p99_ms,
    previous.gold_f1_micro as previous_gold_f1_micro,
    previous.test_f1_micro as previous_test_f1_micro,
    previous.latency_p99_ms as previous_latency_p99_ms,
    tagged.gold_f1_micro - previous.gold_f1_micro as gold_f1_delta,
    tagged.test_f1_micro - previous.test_f1_micro as test_f1_delta,
    tagged.latency_p99_ms - previous.latency_p99_ms as latency_p99_delta_ms
from states
left join versions as tagged
    on tagged.tag = states.tag
left join versions as previous
    on previous.tag = states.previous_tag
