-- The leaderboard marks at most one current champion, one pin and one served version, and the
-- served one is the pin when there is one. Returns the offending counts.
{{ config(tags=['registry']) }}

select
    sum(case when is_current_champion then 1 else 0 end) as n_champions,
    sum(case when is_pinned then 1 else 0 end) as n_pinned,
    sum(case when is_served then 1 else 0 end) as n_served,
    sum(case when is_pinned and not is_served then 1 else 0 end) as n_pinned_not_served
from {{ ref('model_leaderboard') }}
having sum(case when is_current_champion then 1 else 0 end) > 1
    or sum(case when is_pinned then 1 else 0 end) > 1
    or sum(case when is_served then 1 else 0 end) > 1
    or sum(case when is_pinned and not is_served then 1 else 0 end) > 0
