//! A synthetic plan of a given size, for benchmarks: one project and repeated groups of
//! datasets, modalities, models, training, evaluation and deployment that reference each
//! other, written the way real plans are (comments, doc comments, units, records, enums).

/// Returns a plan of at least `lines` lines.
pub fn plan(lines: usize) -> String {
    let mut s = String::from(
        "/// A synthetic plan for benchmarks.\nproject synthetic {\n  purpose: product\n  task: binary_classification\n  target: \"event within 30 days\"\n  unit: patient\n  horizon: 30d\n  stakes: high\n}\n\n",
    );
    let mut i = 0;
    // counted as the groups are added: counting the whole plan each time was quadratic
    let mut count = s.lines().count();
    while count < lines {
        let before = s.len();
        let prev = if i > 0 { format!("d{}", i - 1) } else { format!("d{i}") };
        s.push_str(&format!(
            r#"/// Cohort {i}: admissions with labs and a chest X-ray.
dataset d{i} {{
  n: {n}                       // patients
  unit: patient
  records: ~{records}
  positives: 9%
  labels: {{ source: chart_review, noise: 5%, raters: 2 }}
  sites: 3
  period: 2015..2023
  split: by_patient
  preprocess: [impute {{ fit_on: train_fold }}, standardize {{ fit_on: train_fold }}]
}}

modality img{i}: image {{
  from: d{i}
  raw: 512x512x1
  domain: radiology
  representation: pretrained(densenet121, frozen)
  augment: [hflip, rotate(10deg)]
}}

modality tab{i}: tabular {{
  from: d{i}
  features: 47
  missing: 12%
  representation: standardize
}}

model m{i} {{
  inputs: [img{i}, tab{i}]
  fusion: late
  head: linear
}}

train m{i} {{
  optimizer: adamw {{ lr: 1e-3, weight_decay: 0.01 }}
  schedule: cosine {{ warmup: 500 steps }}
  batch: 32
  epochs: 100
  precision: bf16
  early_stopping: {{ monitor: val_auroc, patience: 10 }}
  hardware: 1 x a100
}}

evaluate m{i} {{
  metrics: [auroc, auprc, ece]
  intervals: bootstrap(1000)
  baselines: [gbdt(tab{i}), logistic(tab{i})]
  subgroups: [site, sex]
  held_out: [{prev}]
}}

deploy m{i} {{
  target: server
  device: xeon_8380
  latency: p99 < 200ms
  memory: < 2GB
  monitoring: [input_drift, calibration]
  retrain: on_drift
}}

"#,
            n = 4_200 + i,
            records = 7_100 + i,
        ));
        count += s[before..].lines().count();
        i += 1;
    }
    s
}
