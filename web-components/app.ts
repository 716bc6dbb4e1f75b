/** app.js: the whole Salesgrid app (index.html loads it); every element is defined here. */
import "./sg-app/sg-app";
import "./sg-form/sg-form";
import "./sg-record/sg-record";
import "./sg-grid/sg-grid";
import "./sg-kanban/sg-kanban";
import "./sg-admin/sg-admin";
