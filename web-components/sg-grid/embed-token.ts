/** Embed tokens are JWTs for the audience salesgrid-embed; sign-in tokens are not. */
export function isEmbedToken(token: string): boolean {
  try {
    const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    const aud = payload.aud;
    return aud === "salesgrid-embed" || (Array.isArray(aud) && aud.includes("salesgrid-embed"));
  } catch {
    return false;
  }
}
