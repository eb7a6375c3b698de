const sgMail = require("@sendgrid/mail");
sgMail.setApiKey("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");
module.exports = sgMail;
