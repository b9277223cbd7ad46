//! `govcloud console`: the web console (issue 31). Who sees what is decided
//! by the API server, never here: locally every read and write is made as
//! the kubeconfig's identity; with `--auth token` (in the cluster) a user's
//! bearer token is checked with a TokenReview and every read and write is
//! made as that user, by impersonation (the console's own ServiceAccount may
//! only create TokenReviews and impersonate). Pages are `pages` (pure), the
//! HTTP edge is `http`, sessions and CSRF `session`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use k8s_openapi::api::authentication::v1::{TokenReview, TokenReviewSpec};
use kube::api::{Api, PostParams};
use kube::{Client, Config};

use super::CliError;

mod http;
pub mod pages;
mod read;
pub mod session;

/// The User-Agent of the console's requests to the API server (its audit log
/// then shows the console, and the user it acted as).
pub fn user_agent() -> String {
    format!("{}/{}", crate::meta::names::CONSOLE, env!("CARGO_PKG_VERSION"))
}

/// How users are known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    /// As the kubeconfig's identity (one user, locally).
    Kubeconfig,
    /// Each user by a bearer token, checked with a TokenReview and impersonated.
    Token,
}

/// A user the console acts as: the name the API server gave it, and a
/// client whose every request is that user's.
#[derive(Clone)]
pub struct Who {
    /// The user name.
    pub name: String,
    /// The client acting as the user.
    pub client: Client,
}

/// The console's state.
pub struct Console {
    /// How users are known.
    auth: Auth,
    /// The sessions, by id.
    sessions: Mutex<HashMap<String, session::Session<Who>>>,
}

enum Auth {
    /// The kubeconfig's identity, for everyone.
    Kubeconfig(Who),
    /// TokenReviews by `reviewer`; users impersonated from `base`.
    Token { reviewer: Client, base: Box<Config> },
}

/// The configuration (kubeconfig, or the pod's ServiceAccount) with the console's User-Agent.
async fn config() -> Result<Config, CliError> {
    let mut config = Config::infer().await.map_err(|e| CliError::NoCluster {
        doing: "serve the console for",
        hint: "set KUBECONFIG, or run it in a pod",
        source: Box::new(e),
    })?;
    if let Ok(ua) = ::http::HeaderValue::from_str(&user_agent()) {
        config.headers.push((::http::header::USER_AGENT, ua));
    }
    Ok(config)
}

fn client(config: Config) -> Result<Client, CliError> {
    Client::try_from(config).map_err(|e| CliError::NoCluster {
        doing: "serve the console for",
        hint: "check the kubeconfig",
        source: Box::new(e),
    })
}

impl Console {
    /// The console in `mode`.
    pub async fn new(mode: AuthMode) -> Result<Console, CliError> {
        let config = config().await?;
        let auth = match mode {
            AuthMode::Kubeconfig => {
                let client = client(config)?;
                let name = super::mine::identity(&client).await?.username;
                Auth::Kubeconfig(Who { name, client })
            }
            AuthMode::Token => {
                let mut base = config.clone();
                base.auth_info.impersonate = None;
                base.auth_info.impersonate_groups = None;
                Auth::Token { reviewer: client(config)?, base: Box::new(base) }
            }
        };
        Ok(Console { auth, sessions: Mutex::new(HashMap::new()) })
    }

    /// Whether users log in with a token.
    pub fn login(&self) -> bool {
        matches!(self.auth, Auth::Token { .. })
    }

    /// The user a token belongs to, as the API server says (TokenReview),
    /// with a client impersonating it; `Err` with why when it is none.
    pub async fn by_token(&self, token: &str) -> Result<Who, String> {
        let Auth::Token { reviewer, base } = &self.auth else {
            return Err("this console acts as its kubeconfig's identity; it takes no token".into());
        };
        let review = TokenReview {
            spec: TokenReviewSpec { token: Some(token.trim().to_string()), audiences: None },
            ..Default::default()
        };
        let review = Api::<TokenReview>::all(reviewer.clone())
            .create(&PostParams::default(), &review)
            .await
            .map_err(|e| format!("TokenReview: {e}"))?;
        let status = review.status.unwrap_or_default();
        let user = match (status.authenticated, status.user) {
            (Some(true), Some(u)) if u.username.as_deref().is_some_and(|n| !n.is_empty()) => u,
            _ => return Err(status.error.unwrap_or_else(|| "the API server does not know this token".into())),
        };
        let name = user.username.unwrap_or_default();
        let mut config = (**base).clone();
        config.auth_info.impersonate = Some(name.clone());
        config.auth_info.impersonate_groups = Some(user.groups.unwrap_or_default());
        // Impersonated extras (scopes of a token) would need their own
        // permission; none of the identities govcloud names carries any.
        let client = Client::try_from(config).map_err(|e| format!("cannot make a client for {name}: {e}"))?;
        Ok(Who { name, client })
    }

    /// The kubeconfig's identity, in kubeconfig mode.
    pub fn local(&self) -> Option<Who> {
        match &self.auth {
            Auth::Kubeconfig(w) => Some(w.clone()),
            Auth::Token { .. } => None,
        }
    }
}

/// Serves the console in the background on `listen` (or, when that is
/// taken, on a free port of the same host), as `client`'s identity: its address.
/// `govcloud dev` starts it so.
pub async fn spawn_local(client: Client, listen: &str) -> std::io::Result<std::net::SocketAddr> {
    let name = super::mine::identity(&client).await.map(|i| i.username).unwrap_or_default();
    let console = Arc::new(Console { auth: Auth::Kubeconfig(Who { name, client }), sessions: Mutex::default() });
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(_) => {
            let host = listen.rsplit_once(':').map_or("127.0.0.1", |(h, _)| h);
            tokio::net::TcpListener::bind((host, 0)).await?
        }
    };
    let addr = listener.local_addr()?;
    tokio::spawn(http::serve(listener, console));
    Ok(addr)
}

/// Serves the console on `listen` until the process is stopped.
pub(super) fn console_cmd(listen: String, mode: AuthMode) -> Result<(), CliError> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let console = Arc::new(Console::new(mode).await?);
        let listener = tokio::net::TcpListener::bind(&listen).await?;
        let addr = listener.local_addr()?;
        println!("govcloud console: http://{addr}/");
        http::serve(listener, console).await;
        Ok(())
    })
}
