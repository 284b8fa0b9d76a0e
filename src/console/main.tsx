/** The web console for payroll officers: mounted into index.html, served by the API at `/`. */
import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

render(<App />, document.getElementById('app')!);
