"""The product catalogue moves from the loans app to its own: state only, the tables keep their names."""

import functools
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

from core.model_moves import rename_content_types



class Migration(migrations.Migration):
    dependencies = [
        ("loans", "0013_product_rate_without_fixed_ceiling"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Product',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(unique=True, verbose_name='code')),
                        ('name_kk', models.CharField(max_length=200, verbose_name='name (Kazakh)')),
                        ('name_ru', models.CharField(max_length=200, verbose_name='name (Russian)')),
                        ('name_en', models.CharField(max_length=200, verbose_name='name (English)')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('min_amount', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='minimum amount')),
                        ('min_amount_unit', models.CharField(choices=[('KZT', 'KZT'), ('MRP', 'MRP')], default='KZT', max_length=3, verbose_name='unit of the minimum')),
                        ('max_amount', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='maximum amount')),
                        ('max_amount_unit', models.CharField(choices=[('KZT', 'KZT'), ('MRP', 'MRP')], default='KZT', max_length=3, verbose_name='unit of the maximum')),
                        ('min_term_months', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='minimum term, months')),
                        ('max_term_months', models.PositiveSmallIntegerField(verbose_name='maximum term, months')),
                        ('min_rate', models.DecimalField(decimal_places=6, max_digits=9, verbose_name='minimum annual rate, %')),
                        ('max_rate', models.DecimalField(decimal_places=6, max_digits=9, verbose_name='maximum annual rate, %')),
                        ('gesv_cap', models.DecimalField(decimal_places=6, max_digits=9, verbose_name='GESV cap, %')),
                        ('secured', models.BooleanField(default=True, verbose_name='secured')),
                        ('min_coverage', models.DecimalField(decimal_places=4, default=Decimal('0'), help_text='Pledge value over the loan amount required at the decision; 0: none.', max_digits=6, verbose_name='minimum collateral coverage')),
                        ('day_count', models.CharField(choices=[('30/360', '30/360 (30-day month, 360-day year)'), ('actual/360', 'Actual days, 360-day year'), ('actual/365', 'Actual days, 365-day year')], max_length=12, verbose_name='day count')),
                        ('methods', models.JSONField(default=list, verbose_name='allowed repayment methods')),
                        ('payment_multiple', models.DecimalField(decimal_places=2, default=Decimal('0.01'), max_digits=9, verbose_name='payment rounded to')),
                        ('debt_burden_applies', models.BooleanField(default=True, help_text='Loans to individuals are always checked.', verbose_name='debt-burden limit applies to business borrowers')),
                        ('penalty_rate_daily', models.DecimalField(decimal_places=6, default=Decimal('0'), max_digits=9, verbose_name='penalty, % of the overdue amount per day')),
                    ],
                    options={
                        'verbose_name': 'product',
                        'verbose_name_plural': 'products',
                        'db_table': 'loans_product',
                        'ordering': ['code'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('max_term_months__gte', models.F('min_term_months'))), name='product_term_range'), models.CheckConstraint(condition=models.Q(('max_rate__gte', models.F('min_rate'))), name='product_rate_range'), models.CheckConstraint(condition=models.Q(('min_rate__gte', 0)), name='product_rate_bounds'), models.CheckConstraint(condition=models.Q(('payment_multiple__gt', 0)), name='product_multiple_pos')],
                    },
                ),
                migrations.CreateModel(
                    name='ProductPurpose',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('purpose', models.CharField(choices=[('any_lawful', 'Any lawful purpose'), ('fixed_assets', 'Fixed assets'), ('working_capital', 'Working capital')], max_length=30, verbose_name='purpose')),
                        ('max_term_months', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='maximum term for this purpose, months')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='purposes', to='lending.product')),
                    ],
                    options={
                        'verbose_name': 'product purpose',
                        'verbose_name_plural': 'product purposes',
                        'db_table': 'loans_productpurpose',
                        'constraints': [models.UniqueConstraint(fields=('product', 'purpose'), name='product_purpose_unique')],
                    },
                ),
    
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            functools.partial(rename_content_types, models=('product', 'productpurpose'), old='loans', new='lending'),
            functools.partial(rename_content_types, models=('product', 'productpurpose'), old='lending', new='loans'),
        ),
    ]
