/** zh-CN messages of <sg-print>'s own bar (ids `print.*`); the sheet's words are in words.ts. */
export const zhCN = {
  "print.back": "返回单据",
  "print.language": "单据语言",
  "print.print": "打印或另存为 PDF",
};
