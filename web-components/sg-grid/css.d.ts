// esbuild's "text" loader (scripts/build-web.mjs) imports a CSS file as its text.
declare module "*.css" {
  const text: string;
  export default text;
}
