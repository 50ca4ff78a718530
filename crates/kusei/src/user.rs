//! `kusei user …`: the operator's way to manage users from the command line (also when
//! the only administrator is locked out or disabled). The same application functions as
//! the browser's administration pages, as the operator (whoever can open the database).

use crate::config::Config;
use anyhow::{bail, Context, Result};
use kusei_app::{accounts, Caller};
use kusei_domain::model::MunicipalityId;
use kusei_domain::policy::{Role, Scope};
use kusei_store::Store;

const OPERATOR: &str = "kusei user (運用者 / operator)";

/// What `kusei user` does.
#[derive(Debug, Clone)]
pub enum UserCommand {
    Add {
        login: String,
        name: Option<String>,
        role: String,
        unit: Option<String>,
        municipality: Option<String>,
    },
    ResetPassword {
        login: String,
    },
    Disable {
        login: String,
    },
    Enable {
        login: String,
    },
    List,
}

fn now() -> i64 {
    kusei_app::Clock::System.unix()
}

async fn municipality(store: &Store, name: Option<&str>) -> Result<MunicipalityId> {
    let all = store.list_municipalities().await?;
    match name {
        Some(n) => all
            .iter()
            .find(|m| m.name == n || m.code == n)
            .map(|m| m.id)
            .with_context(|| format!("自治体「{n}」はありません / no municipality {n:?}")),
        None if all.len() == 1 => Ok(all[0].id),
        None => bail!(
            "自治体を --municipality で指定してください / name the municipality with --municipality: {}",
            all.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}

pub async fn run(config: &Config, command: UserCommand) -> Result<()> {
    let store = crate::serve::open(config).await?;
    let caller = Caller::operator(OPERATOR);
    let done = match command {
        UserCommand::Add {
            login,
            name,
            role,
            unit,
            municipality: m,
        } => {
            let role = Role::from_code(&role).with_context(|| {
                format!(
                    "権限「{role}」はありません / no role {role:?}: {}",
                    Role::ALL.map(Role::code).join(", ")
                )
            })?;
            let scope = if role.is_system_wide() {
                Scope::System
            } else {
                let m = municipality(&store, m.as_deref()).await?;
                match (role, unit) {
                    (Role::CityAdmin, _) => Scope::Municipality(m),
                    (_, None) => bail!(
                        "この権限には --unit で組織を指定してください / name the unit of this role with --unit"
                    ),
                    (_, Some(u)) => {
                        let units = store.list_units(m).await?;
                        let found: Vec<_> = units.iter().filter(|x| x.name == u).collect();
                        match found.as_slice() {
                            [one] => Scope::Unit(one.id),
                            [] => bail!("組織「{u}」はありません / no unit {u:?}"),
                            _ => bail!(
                                "「{u}」という組織が複数あります。管理画面で権限を付けてください / several units are named {u:?}: give the role in the browser"
                            ),
                        }
                    }
                }
            };
            let display = name.unwrap_or_else(|| login.clone());
            let (_, password) =
                accounts::create_user(&store, &caller, &login, &display, role, scope, now())
                    .await?;
            format!(
                "利用者を追加しました / user added: {login}\n一時パスワード / one-time password: {password}\n（24時間有効。初回サインインで変更 / valid for 24 hours; changed at first sign-in）"
            )
        }
        UserCommand::ResetPassword { login } => {
            let password = accounts::reset_password(&store, &caller, &login, now()).await?;
            format!(
                "一時パスワードを発行しました / one-time password issued: {login}\n一時パスワード / one-time password: {password}\n（24時間有効。サインインの待ち時間も解除 / valid for 24 hours; any sign-in wait is lifted）"
            )
        }
        UserCommand::Disable { login } => {
            accounts::set_disabled(&store, &caller, &login, true).await?;
            format!("利用を停止しました / disabled: {login}")
        }
        UserCommand::Enable { login } => {
            accounts::set_disabled(&store, &caller, &login, false).await?;
            format!("利用を再開しました / enabled: {login}")
        }
        UserCommand::List => {
            let mut out = String::new();
            for u in store.list_users().await? {
                let roles: Vec<String> = u
                    .roles
                    .iter()
                    .map(|(r, s)| match s {
                        Scope::System => r.clone(),
                        Scope::Municipality(m) => format!("{r}@municipality:{m}"),
                        Scope::Unit(x) => format!("{r}@unit:{x}"),
                    })
                    .collect();
                let state = if u.disabled_at.is_some() {
                    " [停止中 / disabled]"
                } else {
                    ""
                };
                out.push_str(&format!(
                    "{}\t{}\t{}{state}\n",
                    u.login,
                    u.display_name,
                    roles.join(" ")
                ));
            }
            out.trim_end().to_string()
        }
    };
    store.close().await;
    println!("{done}");
    Ok(())
}
