export { MetricsScraper, kubeletAddress, type MetricsScraperOptions } from './scraper.js';
export { MetricsStore, type NodePoint, type PodPoint, type Usage } from './store.js';
export { parsePrometheusText, type Sample } from './prometheus.js';
