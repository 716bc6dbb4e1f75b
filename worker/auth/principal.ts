/** Who is calling: resolved from a verified token by the auth middleware. */
export interface Principal {
  userId: string;
  email: string;
  name: string;
  roles: string[];
  /** Admins change schemas; the full role model arrives with the permission engine. */
  isAdmin: boolean;
}
