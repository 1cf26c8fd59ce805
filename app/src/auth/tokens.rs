//! Access tokens: HS256 JWTs with a pinned algorithm, issuer, audience, and a short life.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::prelude::*;

pub const ISSUER: &str = "klinik-kumkm";
pub const AUDIENCE: &str = "klinik-kumkm-api";
/// Life of an access token, in seconds (15 minutes).
pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
/// Clock difference tolerated between issuer and verifier, in seconds.
pub const LEEWAY_SECONDS: u64 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// `user:<id>` or `client:<id>`.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    /// The sign-in session (refresh-token chain) of a user's token; revoking it kills the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// A client's scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// Who a token names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    User(UserId),
    Client(ClientId),
}

impl Subject {
    fn encode(self) -> String {
        match self {
            Subject::User(id) => format!("user:{id}"),
            Subject::Client(id) => format!("client:{id}"),
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        let (kind, id) = text.split_once(':')?;
        let id = id.parse().ok()?;
        match kind {
            "user" => Some(Subject::User(UserId(id))),
            "client" => Some(Subject::Client(ClientId(id))),
            _ => None,
        }
    }
}

/// A signing key's id (`kid`): the first 8 hex digits of its SHA-256, so that tokens name the key
/// that signed them without revealing it.
pub fn key_id(secret: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(secret)[..4])
}

#[derive(Clone)]
pub struct TokenKeys {
    kid: String,
    encoding: EncodingKey,
    /// The current key first, then the previous ones (`KLINIK_JWT_SECRET_PREVIOUS`), which verify
    /// the tokens they signed until those expire.
    decoding: Vec<(String, DecodingKey)>,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Result<Self, jsonwebtoken::errors::Error> {
        Self::with_previous(secret, &[])
    }

    /// Signs with `secret`; verifies with it and with each of `previous`.
    pub fn with_previous(
        secret: &[u8],
        previous: &[Vec<u8>],
    ) -> Result<Self, jsonwebtoken::errors::Error> {
        let mut decoding = vec![(key_id(secret), DecodingKey::from_secret(secret)?)];
        for old in previous {
            decoding.push((key_id(old), DecodingKey::from_secret(old)?));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        Ok(Self {
            kid: key_id(secret),
            encoding: EncodingKey::from_secret(secret)?,
            decoding,
            validation,
        })
    }

    fn header(&self) -> Header {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.kid.clone());
        header
    }

    /// Issues a token for `subject`; returns it with its life in seconds.
    pub fn issue(
        &self,
        subject: Subject,
        sid: Option<String>,
        scope: Option<String>,
    ) -> Result<(String, i64), Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: subject.encode(),
            iat: now,
            exp: now + ACCESS_TOKEN_SECONDS,
            sid,
            scope,
        };
        let token = jsonwebtoken::encode(&self.header(), &claims, &self.encoding)
            .map_err(|e| Error::internal(&e))?;
        Ok((token, ACCESS_TOKEN_SECONDS))
    }

    /// The claims of a valid token: right algorithm and key, issuer, audience, not expired, not
    /// issued in the future.
    pub fn verify(&self, token: &str) -> Option<(Subject, Claims)> {
        // The key its `kid` names; a token without one (issued before key ids) by the current key.
        let kid = jsonwebtoken::decode_header(token).ok()?.kid;
        let key = match kid {
            Some(kid) => &self.decoding.iter().find(|(id, _)| *id == kid)?.1,
            None => &self.decoding.first()?.1,
        };
        let data = jsonwebtoken::decode::<Claims>(token, key, &self.validation).ok()?;
        let claims = data.claims;
        let now = chrono::Utc::now().timestamp();
        if claims.iat > now + LEEWAY_SECONDS as i64 {
            return None;
        }
        let subject = Subject::parse(&claims.sub)?;
        Some((subject, claims))
    }

    /// For tests of expired and future tokens: signs arbitrary claims with this key.
    pub fn sign(&self, claims: &Claims) -> Result<String, Error> {
        jsonwebtoken::encode(&self.header(), claims, &self.encoding)
            .map_err(|e| Error::internal(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(b"0123456789abcdef0123456789abcdef").unwrap()
    }

    #[test]
    fn an_issued_token_verifies_with_its_key_only() {
        let (token, life) = keys()
            .issue(Subject::User(UserId(7)), Some("s1".into()), None)
            .unwrap();
        assert_eq!(life, 900);
        let (subject, claims) = keys().verify(&token).unwrap();
        assert_eq!(subject, Subject::User(UserId(7)));
        assert_eq!(claims.sid.as_deref(), Some("s1"));
        let other = TokenKeys::new(b"another-key-another-key-another-k").unwrap();
        assert!(other.verify(&token).is_none());
    }

    #[test]
    fn after_a_rotation_old_tokens_verify_by_their_kid_and_new_ones_name_the_new_key() {
        let (old_secret, new_secret) = (
            b"0123456789abcdef0123456789abcdef".to_vec(),
            b"fedcba9876543210fedcba9876543210".to_vec(),
        );
        let (old_token, _) = keys().issue(Subject::User(UserId(7)), None, None).unwrap();
        let rotated =
            TokenKeys::with_previous(&new_secret, std::slice::from_ref(&old_secret)).unwrap();
        assert!(
            rotated.verify(&old_token).is_some(),
            "the old key still verifies its tokens"
        );
        let (new_token, _) = rotated.issue(Subject::User(UserId(7)), None, None).unwrap();
        let header = jsonwebtoken::decode_header(&new_token).unwrap();
        assert_eq!(header.kid.as_deref(), Some(key_id(&new_secret).as_str()));
        assert!(
            keys().verify(&new_token).is_none(),
            "the old key alone cannot verify it"
        );
        let forgotten = TokenKeys::new(&new_secret).unwrap();
        assert!(
            forgotten.verify(&old_token).is_none(),
            "once the old key is dropped, its tokens die"
        );
    }

    #[test]
    fn expired_future_and_unsigned_tokens_are_refused() {
        let k = keys();
        let now = chrono::Utc::now().timestamp();
        let base = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: "user:1".into(),
            iat: now,
            exp: now + 60,
            sid: None,
            scope: None,
        };
        assert!(k.verify(&k.sign(&base).unwrap()).is_some());
        let expired = Claims {
            iat: now - 3600,
            exp: now - 60,
            ..base.clone()
        };
        assert!(k.verify(&k.sign(&expired).unwrap()).is_none());
        let future = Claims {
            iat: now + 600,
            exp: now + 1200,
            ..base.clone()
        };
        assert!(k.verify(&k.sign(&future).unwrap()).is_none());
        let wrong_audience = Claims {
            aud: "other".into(),
            ..base.clone()
        };
        assert!(k.verify(&k.sign(&wrong_audience).unwrap()).is_none());
        // alg "none": header {"alg":"none","typ":"JWT"}, the same payload, no signature.
        let good = k.sign(&base).unwrap();
        let payload = good.split('.').nth(1).unwrap();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(k.verify(&none).is_none());
    }
}
