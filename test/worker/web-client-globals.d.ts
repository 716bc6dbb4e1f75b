// The worker tests drive the web ApiClient against the real Worker. Its session module keeps tokens
// in the browser's sessionStorage, a DOM type the Worker's type program does not load; these are the
// few members it uses. At run time in workerd there is no sessionStorage and the session stays in memory.
interface Storage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}
// eslint-disable-next-line no-var -- a global is declared with var
declare var sessionStorage: Storage | undefined;
