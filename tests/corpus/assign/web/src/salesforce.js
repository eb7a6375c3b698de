const jsforce = require('jsforce');

// Pulls open opportunities for the dashboard.
function openOpportunities(done) {
  const conn = new jsforce.Connection({ loginUrl: 'https://login.salesforce.com' });
  conn.login('integration@acme-corp.io', 'Hq9!vB3xKt7mW2pL', (err) => {
    if (err) return done(err);
    conn.query("SELECT Id, Name FROM Opportunity WHERE IsClosed = false", done);
  });
}

function asUser(conn, username, password) {
  return conn.login(username, password);
}

module.exports = { openOpportunities, asUser };
