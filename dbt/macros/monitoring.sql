{#-
  Monitoring thresholds (models/monitoring/). Every metric has a warn and an error threshold and
  a direction: `above` alerts when the value exceeds the threshold, `below` when it falls under
  it. Override any of them with var monitoring_thresholds, a mapping merged over these defaults:
    --vars '{"monitoring_thresholds": {"psi_token_length": {"warn": 0.05, "error": 0.2}}}'
  PSI 0.1 / 0.25 are the usual "moderate" / "major" shift cut-offs.
-#}
{% macro qu_monitoring_thresholds() -%}
  {%- set thresholds = {
    'daily_volume': {'direction': 'below', 'warn': 100, 'error': 1},
    'entity_rate_delta': {'direction': 'above', 'warn': 0.15, 'error': 0.30},
    'mean_confidence': {'direction': 'below', 'warn': 0.7, 'error': 0.5},
    'p10_confidence': {'direction': 'below', 'warn': 0.4, 'error': 0.2},
    'novel_share': {'direction': 'above', 'warn': 0.2, 'error': 0.4},
    'latency_p50_ms': {'direction': 'above', 'warn': 20, 'error': 100},
    'latency_p99_ms': {'direction': 'above', 'warn': 50, 'error': 250},
    'psi_token_length': {'direction': 'above', 'warn': 0.1, 'error': 0.25},
    'psi_confidence': {'direction': 'above', 'warn': 0.1, 'error': 0.25},
  } -%}
  {%- for name, override in var('monitoring_thresholds', {}).items() -%}
    {%- if name not in thresholds -%}
      {{ exceptions.raise_compiler_error("monitoring_thresholds: unknown metric " ~ name ~ "; known: " ~ (thresholds.keys() | list | join(', '))) }}
    {%- endif -%}
    {%- do thresholds[name].update(override) -%}
  {%- endfor -%}
  {{ return(thresholds) }}
{%- endmacro %}


{#- Token-length bins shared by the train and the served side of the PSI: (label, low, high], high none = open. -#}
{% macro qu_token_length_bins() -%}
  {{ return([('1', 0, 1), ('2', 1, 2), ('3', 2, 3), ('4', 3, 4), ('5', 4, 5), ('6', 5, 6), ('7-8', 6, 8), ('9+', 8, none)]) }}
{%- endmacro %}

{#- Confidence bins: [low, high); the last one includes 1. -#}
{% macro qu_confidence_bins() -%}
  {{ return([('<0.5', -1, 0.5), ('0.5-0.7', 0.5, 0.7), ('0.7-0.8', 0.7, 0.8), ('0.8-0.9', 0.8, 0.9), ('0.9-0.95', 0.9, 0.95), ('>=0.95', 0.95, 2)]) }}
{%- endmacro %}

{#- The bin label of a token count, per qu_token_length_bins. -#}
{% macro qu_token_length_bin(expr) -%}
  case
  {%- for label, low, high in qu_token_length_bins() %}
    when {{ expr }} > {{ low }}{% if high is not none %} and {{ expr }} <= {{ high }}{% endif %} then '{{ label }}'
  {%- endfor %}
  end
{%- endmacro %}

{#- The bin label of a confidence, per qu_confidence_bins. -#}
{% macro qu_confidence_bin(expr) -%}
  case
  {%- for label, low, high in qu_confidence_bins() %}
    when {{ expr }} >= {{ low }} and {{ expr }} < {{ high }} then '{{ label }}'
  {%- endfor %}
  end
{%- endmacro %}

{#- The labels of a bin list as a relation (one row per bin), so empty bins still count in a PSI. -#}
{% macro qu_bin_labels(bins) -%}
  {%- for label, low, high in bins %}
    select '{{ label }}' as bin{% if not loop.last %} union all{% endif %}
  {%- endfor %}
{%- endmacro %}

{#-
  Population stability index between two binned distributions: sum over bins of
  (observed - expected) * ln(observed / expected), shares floored at 0.0001 so an empty bin counts
  as a large but finite shift. `observed` and `expected` are relations with (bin, n).
-#}
{% macro qu_psi(bins, observed, expected) -%}
  with bin_labels as ({{ qu_bin_labels(bins) }}),
  totals as (
    select
      (select sum(n) from {{ observed }}) as observed_total,
      (select sum(n) from {{ expected }}) as expected_total
  ),
  shares as (
    select
      b.bin,
      greatest(coalesce(o.n, 0) * 1.0 / nullif(t.observed_total, 0), 0.0001) as observed_share,
      greatest(coalesce(e.n, 0) * 1.0 / nullif(t.expected_total, 0), 0.0001) as expected_share
    from bin_labels as b
    cross join totals as t
    left join {{ observed }} as o on o.bin = b.bin
    left join {{ expected }} as e on e.bin = b.bin
  )
  select sum((observed_share - expected_share) * ln(observed_share / expected_share)) as psi
  from shares
{%- endmacro %}
