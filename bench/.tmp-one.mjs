const t=performance.now(); await import('zod/mini'); console.log('zod/mini', (performance.now()-t).toFixed(0))
