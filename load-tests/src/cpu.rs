//! Server-side CPU from /proc: utime+stime of the radar node(s), of every process of the
//! PostgreSQL cluster (the postmaster's cutime+cstime included, so backends that exit inside the
//! window still count) and of redis-server; plus the generator's own and the whole machine's busy
//! time, so a disturbed window shows. Ticks are `sysconf(_SC_CLK_TCK)`.

use std::time::Instant;

/// Which processes to account.
#[derive(Debug, Clone, clap::Args)]
pub struct CpuArgs {
    /// A radar node's pid (repeat for several nodes).
    #[arg(long = "server-pid")]
    pub server_pids: Vec<u32>,
    /// The PostgreSQL postmaster's pid (its children are found at each sample).
    #[arg(long)]
    pub pg_pid: Option<u32>,
    /// redis-server's pid.
    #[arg(long)]
    pub redis_pid: Option<u32>,
}

/// One reading, in clock ticks.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub server: u64,
    pub pg: u64,
    pub redis: u64,
    pub generator: u64,
    pub machine_busy: u64,
    pub at: Instant,
}

/// Core-seconds spent between two samples, per part.
#[derive(Debug, Clone, Copy)]
pub struct Spent {
    pub server: f64,
    pub pg: f64,
    pub redis: f64,
    pub generator: f64,
    pub machine: f64,
    pub wall: f64,
}

impl Spent {
    /// radar + PostgreSQL + Redis core-seconds.
    pub fn server_side(&self) -> f64 {
        self.server + self.pg + self.redis
    }

    /// Everything else that ran on the machine, in cores.
    pub fn other_cores(&self) -> f64 {
        (self.machine - self.server_side() - self.generator) / self.wall
    }

    pub fn kv(&self, per: f64) -> String {
        let us = |s: f64| if per > 0.0 { s * 1e6 / per } else { 0.0 };
        format!(
            "cpu_us_per_msg={:.1} cpu_radar_us={:.1} cpu_pg_us={:.1} cpu_redis_us={:.1} cpu_gen_us={:.1} \
             cores_radar={:.2} cores_pg={:.2} cores_redis={:.2} cores_gen={:.2} cores_other={:.2} window_s={:.2}",
            us(self.server_side()),
            us(self.server),
            us(self.pg),
            us(self.redis),
            us(self.generator),
            self.server / self.wall,
            self.pg / self.wall,
            self.redis / self.wall,
            self.generator / self.wall,
            self.other_cores(),
            self.wall
        )
    }

    pub fn human(&self, per: f64, unit: &str) -> String {
        let us = |s: f64| if per > 0.0 { s * 1e6 / per } else { 0.0 };
        format!(
            "server-side CPU {:.1} core-µs/{unit} (radar {:.1} + postgres {:.1} + redis {:.1}); generator {:.1} core-µs/{unit}; \
             cores over {:.1} s: radar {:.2}, postgres {:.2}, redis {:.2}, generator {:.2}, other {:.2}",
            us(self.server_side()),
            us(self.server),
            us(self.pg),
            us(self.redis),
            us(self.generator),
            self.wall,
            self.server / self.wall,
            self.pg / self.wall,
            self.redis / self.wall,
            self.generator / self.wall,
            self.other_cores()
        )
    }
}

fn clk_tck() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 {
        t as f64
    } else {
        100.0
    }
}

/// Fields after the command name of /proc/<pid>/stat (the name may hold spaces).
fn stat_fields(pid: &str) -> Option<Vec<u64>> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    // field 3 (state) is a letter; keep numbers only, with the state mapped to 0.
    Some(
        rest.split_whitespace()
            .map(|f| f.parse::<i64>().unwrap_or(0).max(0) as u64)
            .collect(),
    )
}

/// utime+stime (+ cutime+cstime) of `pid`. Indexes: field n of stat is `f[n - 3]`.
fn ticks(pid: &str, with_children: bool) -> u64 {
    let Some(f) = stat_fields(pid) else { return 0 };
    let own = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    let reaped = f.get(13).copied().unwrap_or(0) + f.get(14).copied().unwrap_or(0);
    if with_children {
        own + reaped
    } else {
        own
    }
}

fn children_of(ppid: u32) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        .filter(|n| stat_fields(n).and_then(|f| f.get(1).copied()) == Some(u64::from(ppid)))
        .collect()
}

fn machine_busy() -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/stat") else {
        return 0;
    };
    let Some(line) = s.lines().next() else {
        return 0;
    };
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
    [0, 1, 2, 5, 6, 7]
        .iter()
        .map(|&i| v.get(i).copied().unwrap_or(0))
        .sum()
}

impl CpuArgs {
    pub fn sample(&self) -> Sample {
        let server = self
            .server_pids
            .iter()
            .map(|p| ticks(&p.to_string(), false))
            .sum();
        let pg = self.pg_pid.map_or(0, |pm| {
            ticks(&pm.to_string(), true)
                + children_of(pm).iter().map(|c| ticks(c, false)).sum::<u64>()
        });
        let redis = self.redis_pid.map_or(0, |p| ticks(&p.to_string(), false));
        Sample {
            server,
            pg,
            redis,
            generator: ticks("self", false),
            machine_busy: machine_busy(),
            at: Instant::now(),
        }
    }
}

/// What was spent between `a` and `b`.
pub fn spent(a: &Sample, b: &Sample) -> Spent {
    let hz = clk_tck();
    let d = |x: u64, y: u64| y.saturating_sub(x) as f64 / hz;
    Spent {
        server: d(a.server, b.server),
        pg: d(a.pg, b.pg),
        redis: d(a.redis, b.redis),
        generator: d(a.generator, b.generator),
        machine: d(a.machine_busy, b.machine_busy),
        wall: b.at.duration_since(a.at).as_secs_f64().max(1e-9),
    }
}

/// VmRSS of `pid` in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
