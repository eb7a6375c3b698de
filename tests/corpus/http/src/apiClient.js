import nock from 'nock';

export function loadOrders(session) {
  const xhr = new XMLHttpRequest();
  xhr.open('GET', '/api/orders');
  xhr.setRequestHeader('Authorization', 'Bearer ' + session.accessToken);
  xhr.send();
}

export const reportingHeaders = {
  'Content-Type': 'application/json',
  Authorization: 'Bearer yMOLd7SQJuWq9RfDDwI0YH0H8g0rscfLceH7CKgy',
};

export const templated = { Authorization: `Bearer ${process.env.API_TOKEN}` };

export function mockReports() {
  return nock('https://reports.acme-corp.io')
    .matchHeader('authorization', 'Basic Y2ktYm90OlpxNCF4VDltS3IyI1d2')
    .get('/export')
    .reply(200, { rows: [] });
}
