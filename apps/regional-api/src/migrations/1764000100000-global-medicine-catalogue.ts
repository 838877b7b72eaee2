import { MigrationInterface, QueryRunner } from 'typeorm';

type Form =
  | 'tablet' | 'capsule' | 'syrup' | 'suspension' | 'injection' | 'ointment' | 'cream' | 'gel' | 'drops'
  | 'inhaler' | 'spray' | 'powder' | 'lotion' | 'mouthwash' | 'solution' | 'patch' | 'suppository' | 'other';

/** [name, generic name (INN, with the salt where it is part of the product), form, strength] */
type CatalogueEntry = [string, string, Form, string];

/**
 * The global medicine catalogue: common generics of general and dental practice, by INN, with no
 * brand or manufacturer (each org adds its own brands). Rows are identified as the unique index
 * identifies them (no org, lower-case name, form, strength), so up() is idempotent and down()
 * removes exactly these rows.
 */
export const GLOBAL_MEDICINES: readonly CatalogueEntry[] = [
  // Analgesics, antipyretics, anti-inflammatories
  ['Paracetamol', 'Paracetamol (acetaminophen)', 'tablet', '500 mg'],
  ['Paracetamol', 'Paracetamol (acetaminophen)', 'tablet', '650 mg'],
  ['Paracetamol', 'Paracetamol (acetaminophen)', 'syrup', '120 mg/5 ml'],
  ['Paracetamol', 'Paracetamol (acetaminophen)', 'injection', '1 g/100 ml'],
  ['Ibuprofen', 'Ibuprofen', 'tablet', '400 mg'],
  ['Ibuprofen', 'Ibuprofen', 'suspension', '100 mg/5 ml'],
  ['Diclofenac Sodium', 'Diclofenac sodium', 'tablet', '50 mg'],
  ['Diclofenac Diethylamine', 'Diclofenac diethylamine', 'gel', '1.16%'],
  ['Aceclofenac', 'Aceclofenac', 'tablet', '100 mg'],
  ['Naproxen', 'Naproxen', 'tablet', '250 mg'],
  ['Mefenamic Acid', 'Mefenamic acid', 'capsule', '250 mg'],
  ['Ketorolac', 'Ketorolac tromethamine', 'tablet', '10 mg'],
  ['Tramadol', 'Tramadol hydrochloride', 'capsule', '50 mg'],
  ['Aspirin', 'Acetylsalicylic acid', 'tablet', '75 mg'],
  // Antibiotics and antifungals
  ['Amoxicillin', 'Amoxicillin trihydrate', 'capsule', '500 mg'],
  ['Amoxicillin', 'Amoxicillin trihydrate', 'suspension', '250 mg/5 ml'],
  ['Co-amoxiclav', 'Amoxicillin + Clavulanic acid', 'tablet', '625 mg'],
  ['Azithromycin', 'Azithromycin', 'tablet', '500 mg'],
  ['Azithromycin', 'Azithromycin', 'suspension', '200 mg/5 ml'],
  ['Doxycycline', 'Doxycycline hyclate', 'capsule', '100 mg'],
  ['Ciprofloxacin', 'Ciprofloxacin hydrochloride', 'tablet', '500 mg'],
  ['Cefixime', 'Cefixime', 'tablet', '200 mg'],
  ['Cephalexin', 'Cefalexin', 'capsule', '500 mg'],
  ['Clindamycin', 'Clindamycin hydrochloride', 'capsule', '300 mg'],
  ['Metronidazole', 'Metronidazole', 'tablet', '400 mg'],
  ['Nitrofurantoin', 'Nitrofurantoin', 'capsule', '100 mg'],
  ['Co-trimoxazole', 'Sulfamethoxazole + Trimethoprim', 'tablet', '800 mg/160 mg'],
  ['Fluconazole', 'Fluconazole', 'tablet', '150 mg'],
  ['Clotrimazole', 'Clotrimazole', 'cream', '1%'],
  ['Clotrimazole', 'Clotrimazole', 'other', '10 mg troche'],
  ['Mupirocin', 'Mupirocin', 'ointment', '2%'],
  ['Acyclovir', 'Aciclovir', 'tablet', '400 mg'],
  ['Acyclovir', 'Aciclovir', 'cream', '5%'],
  // Cardiovascular, diabetes, lipids
  ['Amlodipine', 'Amlodipine besylate', 'tablet', '5 mg'],
  ['Telmisartan', 'Telmisartan', 'tablet', '40 mg'],
  ['Losartan', 'Losartan potassium', 'tablet', '50 mg'],
  ['Enalapril', 'Enalapril maleate', 'tablet', '5 mg'],
  ['Metoprolol', 'Metoprolol succinate', 'tablet', '50 mg'],
  ['Atenolol', 'Atenolol', 'tablet', '50 mg'],
  ['Hydrochlorothiazide', 'Hydrochlorothiazide', 'tablet', '12.5 mg'],
  ['Atorvastatin', 'Atorvastatin calcium', 'tablet', '10 mg'],
  ['Rosuvastatin', 'Rosuvastatin calcium', 'tablet', '10 mg'],
  ['Clopidogrel', 'Clopidogrel bisulfate', 'tablet', '75 mg'],
  ['Metformin', 'Metformin hydrochloride', 'tablet', '500 mg'],
  ['Glimepiride', 'Glimepiride', 'tablet', '1 mg'],
  ['Sitagliptin', 'Sitagliptin phosphate', 'tablet', '100 mg'],
  ['Insulin Glargine', 'Insulin glargine', 'injection', '100 IU/ml'],
  ['Levothyroxine', 'Levothyroxine sodium', 'tablet', '50 mcg'],
  // Gastrointestinal
  ['Omeprazole', 'Omeprazole', 'capsule', '20 mg'],
  ['Pantoprazole', 'Pantoprazole sodium', 'tablet', '40 mg'],
  ['Famotidine', 'Famotidine', 'tablet', '20 mg'],
  ['Domperidone', 'Domperidone', 'tablet', '10 mg'],
  ['Ondansetron', 'Ondansetron hydrochloride', 'tablet', '4 mg'],
  ['Loperamide', 'Loperamide hydrochloride', 'capsule', '2 mg'],
  ['Oral Rehydration Salts', 'Sodium chloride + Potassium chloride + Sodium citrate + Glucose (WHO ORS)', 'powder', '20.5 g/l'],
  ['Lactulose', 'Lactulose', 'solution', '3.35 g/5 ml'],
  ['Albendazole', 'Albendazole', 'tablet', '400 mg'],
  // Respiratory and allergy
  ['Cetirizine', 'Cetirizine hydrochloride', 'tablet', '10 mg'],
  ['Levocetirizine', 'Levocetirizine dihydrochloride', 'tablet', '5 mg'],
  ['Fexofenadine', 'Fexofenadine hydrochloride', 'tablet', '120 mg'],
  ['Montelukast', 'Montelukast sodium', 'tablet', '10 mg'],
  ['Salbutamol', 'Salbutamol sulfate (albuterol)', 'inhaler', '100 mcg/dose'],
  ['Budesonide', 'Budesonide', 'inhaler', '200 mcg/dose'],
  ['Fluticasone', 'Fluticasone propionate', 'spray', '50 mcg/dose'],
  ['Dextromethorphan', 'Dextromethorphan hydrobromide', 'syrup', '10 mg/5 ml'],
  ['Ambroxol', 'Ambroxol hydrochloride', 'syrup', '15 mg/5 ml'],
  ['Prednisolone', 'Prednisolone', 'tablet', '5 mg'],
  // Eyes, ears, skin
  ['Ciprofloxacin', 'Ciprofloxacin hydrochloride', 'drops', '0.3%'],
  ['Moxifloxacin', 'Moxifloxacin hydrochloride', 'drops', '0.5%'],
  ['Carboxymethylcellulose', 'Carboxymethylcellulose sodium', 'drops', '0.5%'],
  ['Hydrocortisone', 'Hydrocortisone', 'cream', '1%'],
  ['Calamine', 'Calamine + Zinc oxide', 'lotion', '8%'],
  ['Povidone-Iodine', 'Povidone-iodine', 'solution', '5%'],
  // Vitamins and supplements
  ['Ferrous Sulfate', 'Ferrous sulfate', 'tablet', '200 mg'],
  ['Folic Acid', 'Folic acid', 'tablet', '5 mg'],
  ['Calcium Carbonate + Vitamin D3', 'Calcium carbonate + Cholecalciferol', 'tablet', '500 mg/250 IU'],
  ['Vitamin B Complex', 'Thiamine + Riboflavin + Pyridoxine + Cyanocobalamin + Nicotinamide', 'tablet', 'standard'],
  // Dental practice
  ['Chlorhexidine Gluconate', 'Chlorhexidine gluconate', 'mouthwash', '0.2%'],
  ['Chlorhexidine Gluconate', 'Chlorhexidine gluconate', 'gel', '1%'],
  ['Povidone-Iodine Gargle', 'Povidone-iodine', 'mouthwash', '2%'],
  ['Benzydamine', 'Benzydamine hydrochloride', 'mouthwash', '0.15%'],
  ['Lidocaine', 'Lidocaine hydrochloride', 'injection', '2%'],
  ['Lidocaine + Adrenaline', 'Lidocaine hydrochloride + Epinephrine', 'injection', '2% + 1:80,000'],
  ['Articaine + Adrenaline', 'Articaine hydrochloride + Epinephrine', 'injection', '4% + 1:100,000'],
  ['Lidocaine', 'Lidocaine', 'gel', '2%'],
  ['Benzocaine', 'Benzocaine', 'gel', '20%'],
  ['Sodium Fluoride', 'Sodium fluoride', 'other', '5% varnish'],
  ['Sodium Fluoride', 'Sodium fluoride', 'mouthwash', '0.05%'],
  ['Potassium Nitrate', 'Potassium nitrate + Sodium fluoride', 'other', '5% toothpaste'],
  ['Triamcinolone Acetonide', 'Triamcinolone acetonide', 'other', '0.1% oral paste'],
  ['Choline Salicylate', 'Choline salicylate + Benzalkonium chloride', 'gel', '8.7%'],
  ['Hydrogen Peroxide', 'Hydrogen peroxide', 'solution', '3%'],
];

const INSERT = `insert into medicines (organization_id, name, generic_name, form, strength)
  select null, e.name, e.generic_name, e.form, e.strength
    from jsonb_to_recordset($1::jsonb) as e(name text, generic_name text, form text, strength text)
  on conflict do nothing`;

const DELETE = `delete from medicines m
  using jsonb_to_recordset($1::jsonb) as e(name text, generic_name text, form text, strength text)
  where m.organization_id is null and m.name_key = lower(e.name) and m.form = e.form and m.strength is not distinct from e.strength`;

function rows(): string {
  return JSON.stringify(GLOBAL_MEDICINES.map(([name, generic_name, form, strength]) => ({ name, generic_name, form, strength })));
}

/**
 * Seeds the global catalogue. Global rows have no organization, and the policies on `medicines`
 * never let anyone (the owner included, RLS being forced) write such a row: that is the point.
 * The migration therefore lifts FORCE for its own transaction only (the ALTER holds an exclusive
 * lock on the table until commit, so no other session ever sees it lifted) and puts it back.
 */
export class GlobalMedicineCatalogue1764000100000 implements MigrationInterface {
  name = 'GlobalMedicineCatalogue1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE medicines NO FORCE ROW LEVEL SECURITY');
    await q.query(INSERT, [rows()]);
    await q.query('ALTER TABLE medicines FORCE ROW LEVEL SECURITY');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE medicines NO FORCE ROW LEVEL SECURITY');
    await q.query(DELETE, [rows()]);
    await q.query('ALTER TABLE medicines FORCE ROW LEVEL SECURITY');
  }
}
