//! The `kusei` command. `main` is thin: it parses arguments, runs one subcommand and
//! turns any error into one line on stderr and a non-zero exit status.

mod backup;
mod check;
mod config;
mod export;
mod import;
mod sample;
mod serve;
mod user;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

const ABOUT: &str = "区政 Kusei — 区政運営方針の計画・中間振り返り・自己評価・公表を一つに。
Kusei — write, review, evaluate and publish the annual management plans of city wards.";

const AFTER_HELP: &str = "設定の優先順位 / configuration precedence:
  既定値 defaults < 設定ファイル file (--config, KUSEI_CONFIG, ./kusei.toml)
  < 環境変数 environment (KUSEI_DB, KUSEI_ADDR, KUSEI_LOG, KUSEI_LOG_FORMAT) < コマンド引数 flags

例 / examples:
  kusei serve                               # http://127.0.0.1:8080 (SQLite: kusei.db)
  kusei serve --db postgres://localhost/kusei --addr 0.0.0.0:8080
  kusei migrate --db sqlite://data/kusei.db
  kusei parse 城東区_運営方針.txt --format json
  kusei import --unit 大正区 --year H29 *.txt
  kusei check 大正区_自己評価.txt --format json
  kusei export --unit 城東区 --year 令和7 --format pdf -o 城東区_R7.pdf
  kusei export --year 2025 --format xlsx -o city_2025.xlsx   # 市全体 / whole city
  kusei import city_2025.xlsx                                # Excelで編集して戻す / back from Excel
  kusei sample-city --wards 24 --years 2023-2025 --items 40";

#[derive(Debug, Parser)]
#[command(name = "kusei", version, about = ABOUT, after_help = AFTER_HELP)]
struct Cli {
    /// 設定ファイル / configuration file (TOML)
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// 省略時は serve / without a subcommand, `serve` runs with its defaults
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// サーバーを起動する / run the web server
    Serve {
        /// データベースURL / database URL (sqlite://FILE or postgres://…) [default: sqlite://kusei.db]
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// 待ち受けアドレス / listen address [default: 127.0.0.1:8080]
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<String>,
        /// 初回起動でサンプルの市を作らない（管理者だけ） / on first start, create only the administrator, no sample city
        #[arg(long)]
        no_sample: bool,
    },
    /// 文書を読み取り、結果を表示する（保存しない） / read one document and print what was read (stores nothing)
    Parse {
        /// 文書ファイル / document file (extracted text: UTF-8, Shift_JIS or UTF-16)
        file: PathBuf,
        /// 出力形式 / output format
        #[arg(long, value_parser = ["json", "text"], default_value = "text")]
        format: String,
    },
    /// 文書を読み取り保存する（ファイルごとに全部か無し）。Kusei が書き出した .xlsx も可 / read and store documents (all or nothing per file), or an .xlsx Kusei exported
    Import {
        /// 文書ファイル / document files
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// データベースURL / database URL [default: sqlite://kusei.db]
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// 区・組織名 / the ward or unit the documents belong to (e.g. 城東区)
        #[arg(long, value_name = "NAME")]
        unit: Option<String>,
        /// 年度 / fiscal year: 2017, 平成29, H29, 令和元 … (default: as the document says)
        #[arg(long, value_name = "FY")]
        year: Option<String>,
        /// 自治体名 / municipality (needed when several exist)
        #[arg(long, value_name = "NAME")]
        municipality: Option<String>,
    },
    /// 目標・実績・評価の矛盾を調べる（エラーがあれば終了コード1） / check targets, actuals and judgments for contradictions (exit 1 on errors)
    Check {
        /// 文書ファイル / document files (or use --db to check stored plans)
        #[arg(required_unless_present = "db", conflicts_with = "db")]
        files: Vec<PathBuf>,
        /// 保存済みの計画を調べる / check the plans stored in this database
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// 出力形式 / output format
        #[arg(long, value_parser = ["json", "text"], default_value = "text")]
        format: String,
    },
    /// 自治体の評価基準（区分と閾値）を表示・設定する / show or set a municipality's grading rules
    Grading {
        /// データベースURL / database URL [default: sqlite://kusei.db]
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// 自治体名 / municipality (needed when several exist)
        #[arg(long, value_name = "NAME")]
        municipality: Option<String>,
        /// 既定の基準 / preset: osaka (①② 90 %, 3-year 66.7 %), three (①②③), nagoya (A–D)
        #[arg(long, value_parser = ["osaka", "three", "nagoya"], conflicts_with = "file")]
        preset: Option<String>,
        /// 基準のJSONファイル / rules as JSON (the shape `kusei grading` prints)
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// 計画を書き出す（PDF・Excel・CSV・JSON・印刷用HTML） / export plans (PDF, Excel, CSV, JSON, print HTML)
    Export {
        /// データベースURL / database URL [default: sqlite://kusei.db]
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// 区・組織名 / only this unit (e.g. 城東区); default: the whole municipality
        #[arg(long, value_name = "NAME")]
        unit: Option<String>,
        /// 年度 / only plans covering this fiscal year: 2025, 令和7, R7
        #[arg(long, value_name = "FY")]
        year: Option<String>,
        /// 自治体名 / municipality (needed when several exist)
        #[arg(long, value_name = "NAME")]
        municipality: Option<String>,
        /// 形式 / format
        #[arg(long, value_parser = ["json", "csv", "xlsx", "pdf", "html"])]
        format: String,
        /// 出力ファイル / output file
        #[arg(short = 'o', long = "output", value_name = "PATH")]
        output: PathBuf,
        /// 公表版のみ / published versions only (default: the working copies)
        #[arg(long)]
        published: bool,
    },
    /// 見本の市（架空の区・年度・取組）を作る / create a made-up sample city (demo, benchmark)
    SampleCity {
        /// データベースURL / database URL [default: sqlite://kusei.db]
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// 市の名前 / the city's name
        #[arg(long, default_value = "見本市")]
        name: String,
        /// 区の数 / number of wards
        #[arg(long, default_value_t = 24)]
        wards: usize,
        /// 年度の範囲 / fiscal years, e.g. 2023-2025 or R5-R7
        #[arg(long, default_value = "2023-2025")]
        years: String,
        /// 計画ごとの具体的取組の数 / initiatives per plan
        #[arg(long, default_value_t = 40)]
        items: usize,
    },
    /// 稼働中でも一貫したバックアップを取る（SQLite） / write a consistent backup of a SQLite database, also while it serves
    Backup {
        /// データベースURL / database URL [default: sqlite://kusei.db]
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// バックアップファイル（まだ無いこと） / backup file (must not exist yet)
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: PathBuf,
    },
    /// バックアップから戻す（SQLite、サーバーを止めてから） / restore a SQLite database from a backup (stop the server first)
    Restore {
        /// バックアップファイル / backup file written by `kusei backup`
        file: PathBuf,
        /// 戻す先のデータベースURL / database URL to restore into [default: sqlite://kusei.db]
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// 既存のデータベースを置き換える / replace an existing database
        #[arg(long)]
        replace: bool,
    },
    /// 利用者の追加・パスワード再発行・利用停止（管理者が締め出されたときも） / add users, reset a password, disable or enable a user (also when the administrator is locked out)
    User {
        /// データベースURL / database URL [default: sqlite://kusei.db]
        #[arg(long, value_name = "URL", global = true)]
        db: Option<String>,
        #[command(subcommand)]
        action: UserAction,
    },
    /// 検索の索引を最新にする（--rebuild で作り直す） / bring the search index up to date (--rebuild: build it again from the database)
    SearchIndex {
        /// データベースURL / database URL [default: sqlite://kusei.db]
        #[arg(long, value_name = "URL")]
        db: Option<String>,
        /// 索引のディレクトリ / the index's directory [default: the search_index setting, or next to the SQLite file]
        #[arg(long, value_name = "DIR")]
        index: Option<PathBuf>,
        /// すべて作り直す / build everything again
        #[arg(long)]
        rebuild: bool,
    },
    /// データベースを最新の構造にする / apply database migrations
    Migrate {
        /// データベースURL / database URL [default: sqlite://kusei.db]
        #[arg(long, value_name = "URL")]
        db: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum UserAction {
    /// 利用者を追加し、一時パスワードを表示する / add a user and print a one-time password
    Add {
        /// ログインID / login (letters, digits, . _ -)
        login: String,
        /// 権限 / role: system_admin, city_admin, ward_editor, section_editor, approver, council_member
        #[arg(long)]
        role: String,
        /// 氏名 / display name [default: the login]
        #[arg(long)]
        name: Option<String>,
        /// 組織名 / the unit of the role (e.g. 城東区)
        #[arg(long)]
        unit: Option<String>,
        /// 自治体名 / municipality (needed when several exist)
        #[arg(long)]
        municipality: Option<String>,
    },
    /// 一時パスワードを再発行する（24時間有効） / issue a new one-time password (valid for 24 hours)
    ResetPassword {
        /// ログインID / login
        login: String,
    },
    /// 利用を停止する（サインイン不可、サインイン中も終了） / disable a user (no sign-in; sessions end)
    Disable {
        /// ログインID / login
        login: String,
    },
    /// 利用を再開する / enable a user again
    Enable {
        /// ログインID / login
        login: String,
    },
    /// 利用者の一覧 / list the users
    List,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            // The reader of our output went away (`kusei parse … | head`): not an error.
            ExitCode::SUCCESS
        }
        Err(e) => {
            // One line, no backtrace: the chain of causes joined by ": ".
            let msg = format!("{e:#}").replace(['\n', '\r'], " ");
            eprintln!("kusei: エラー / error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let config = config::Config::load(cli.config.as_deref(), &env)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let command = cli.command.unwrap_or(Command::Serve {
        db: None,
        addr: None,
        no_sample: false,
    });
    match command {
        Command::Serve {
            db,
            addr,
            no_sample,
        } => {
            let mut config = config.with_overrides(db, addr);
            if no_sample {
                config.sample = false;
            }
            init_logging(&config)?;
            runtime.block_on(serve::serve(config))?;
        }
        Command::Parse { file, format } => {
            import::parse(&file, &format)?;
        }
        Command::Import {
            files,
            db,
            unit,
            year,
            municipality,
        } => {
            let config = config.with_overrides(db, None);
            init_logging(&config)?;
            runtime.block_on(import::import(
                &config,
                import::ImportArgs {
                    files,
                    unit,
                    year,
                    municipality,
                },
            ))?;
        }
        Command::Check { files, db, format } => {
            let db_config = db.map(|db| config.clone().with_overrides(Some(db), None));
            let any_error = runtime.block_on(check::check(db_config.as_ref(), &files, &format))?;
            if any_error {
                return Ok(ExitCode::from(1));
            }
        }
        Command::Grading {
            db,
            municipality,
            preset,
            file,
        } => {
            let config = config.with_overrides(db, None);
            init_logging(&config)?;
            runtime.block_on(check::grading(
                &config,
                municipality.as_deref(),
                preset.as_deref(),
                file.as_deref(),
            ))?;
        }
        Command::Backup { db, output } => {
            let config = config.with_overrides(db, None);
            init_logging(&config)?;
            runtime.block_on(backup::backup(&config, &output))?;
        }
        Command::Restore { file, db, replace } => {
            let config = config.with_overrides(db, None);
            init_logging(&config)?;
            runtime.block_on(backup::restore(&config, &file, replace))?;
        }
        Command::Export {
            db,
            unit,
            year,
            municipality,
            format,
            output,
            published,
        } => {
            let config = config.with_overrides(db, None);
            init_logging(&config)?;
            runtime.block_on(export::export(
                &config,
                export::ExportArgs {
                    unit,
                    year,
                    municipality,
                    format,
                    output,
                    published,
                },
            ))?;
        }
        Command::SampleCity {
            db,
            name,
            wards,
            years,
            items,
        } => {
            let config = config.with_overrides(db, None);
            init_logging(&config)?;
            runtime.block_on(export::sample_city(&config, &name, wards, &years, items))?;
        }
        Command::User { db, action } => {
            let config = config.with_overrides(db, None);
            init_logging(&config)?;
            let command = match action {
                UserAction::Add {
                    login,
                    role,
                    name,
                    unit,
                    municipality,
                } => user::UserCommand::Add {
                    login,
                    name,
                    role,
                    unit,
                    municipality,
                },
                UserAction::ResetPassword { login } => user::UserCommand::ResetPassword { login },
                UserAction::Disable { login } => user::UserCommand::Disable { login },
                UserAction::Enable { login } => user::UserCommand::Enable { login },
                UserAction::List => user::UserCommand::List,
            };
            runtime.block_on(user::run(&config, command))?;
        }
        Command::SearchIndex { db, index, rebuild } => {
            let mut config = config.with_overrides(db, None);
            if index.is_some() {
                config.search_index = index;
            }
            init_logging(&config)?;
            runtime.block_on(serve::search_index(&config, rebuild))?;
        }
        Command::Migrate { db } => {
            let config = config.with_overrides(db, None);
            init_logging(&config)?;
            runtime.block_on(serve::migrate(&config))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn init_logging(config: &config::Config) -> Result<()> {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log)
        .map_err(|e| anyhow::anyhow!("log filter {:?}: {e}", config.log))?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = if config.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    result.map_err(|e| anyhow::anyhow!("cannot start logging: {e}"))
}
