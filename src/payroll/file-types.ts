/**
 * The media types of Excel files, in a module of their own so the CLI can name them without loading the
 * workbook reader.
 */
export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const XLS_CONTENT_TYPE = 'application/vnd.ms-excel';
