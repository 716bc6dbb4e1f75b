-- Single sign-on: the OpenID Connect identity an account is linked to. A subject is unique only per
-- issuer (OIDC Core 2), so the pair identifies the person; local accounts leave both NULL.
ALTER TABLE sg_users ADD COLUMN oidc_issuer TEXT;
ALTER TABLE sg_users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX sg_users_oidc ON sg_users (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;
